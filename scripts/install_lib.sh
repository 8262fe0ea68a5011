# Shared by scripts/setup.sh and scripts/test_python.sh (sourced, not run):
# idempotent installation of Debian packages and pinned pip requirements.

# apt_install_missing PACKAGE...: installs those not installed yet (with sudo
# unless root), adding arm64 as a foreign architecture first if one is :arm64.
apt_install_missing() {
  local missing=() p sudo=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  echo "installing Debian packages: ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [[ " ${missing[*]}" == *:arm64* ]] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# pip_install_requirements VENV FILE: pip install -r FILE into VENV unless FILE
# is unchanged since the last time (a sha256 stamp inside VENV).
pip_install_requirements() {
  local venv=$1 file=$2
  local stamp want
  stamp="$venv/.$(echo "$file" | tr / _).sha256"
  want=$(sha256sum "$file" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "installing $file into $venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$file"
    echo "$want" >"$stamp"
  fi
}
