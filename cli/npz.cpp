// .npz reading: a ZIP archive of .npy entries, stored (np.savez) or deflated
// (np.savez_compressed). Format reference: PKWARE's APPNOTE.TXT, sections 4.3
// (layout), 4.4 (fields) and 4.5.3 (zip64 extra field).
//
// Sizes and offsets come from the central directory, never from local headers
// (np.savez writes local headers with zip64 placeholders), and every one of them
// is checked against the file before use.
#include <zlib.h>

#include <algorithm>
#include <climits>

#include "bytes.h"
#include "file_io.h"
#include "npy.h"
#include "quote.h"

namespace crgb::npy {
namespace {

using detail::checked_add;
using detail::in_bounds;
using detail::load_le16;
using detail::load_le32;
using detail::load_le64;

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kEndSize = 22, kZip64EndSize = 56, kZip64LocatorSize = 20;
constexpr size_t kCentralHeaderSize = 46, kLocalHeaderSize = 30;
constexpr uint32_t kMax32 = 0xffffffff;

// Deflate cannot expand more than 1032:1, so a larger declared size is a lie
// (and would otherwise let a tiny file make us allocate without bound).
constexpr uint64_t kMaxDeflateRatio = 1032;

struct Entry {
  std::string name;
  uint16_t flags = 0, method = 0;
  uint32_t crc = 0;
  uint64_t compressed = 0, uncompressed = 0, local_offset = 0;
  uint64_t data_offset = 0;  // filled in from the local header
};

class Reader {
 public:
  Reader(const std::vector<unsigned char> &file, const std::string &what) : f_(file), what_(what) {}

  std::map<std::string, Array> read() {
    std::vector<Entry> entries = central_directory();
    for (Entry &e : entries) locate_data(&e);
    check_no_overlap(entries);
    std::map<std::string, Array> arrays;
    for (const Entry &e : entries) {
      if (!e.name.empty() && e.name.back() == '/' && e.uncompressed == 0) continue;  // a folder
      std::string key = e.name;
      if (key.size() >= 4 && key.compare(key.size() - 4, 4, ".npy") == 0)
        key.resize(key.size() - 4);
      if (arrays.count(key)) throw fail("duplicate entry " + quoted(e.name));
      arrays[key] = extract(e);
    }
    return arrays;
  }

 private:
  Error fail(const std::string &problem) const { return Error(what_ + ": " + problem); }
  Error fail(const Entry &e, const std::string &problem) const {
    return Error(what_ + ": entry " + quoted(e.name) + ": " + problem);
  }

  // Finds the end of central directory record and returns the central
  // directory's entries.
  std::vector<Entry> central_directory() {
    const uint64_t n = f_.size();
    if (n < kEndSize) throw fail("not a zip archive (too short)");
    // The record is the last 22 bytes unless an archive comment (at most
    // 65535 bytes) follows it: scan backwards from the end.
    uint64_t end = n - kEndSize;
    const uint64_t lowest = n - kEndSize > 65535 ? n - kEndSize - 65535 : 0;
    while (load_le32(&f_[end]) != kEndSig || end + kEndSize + load_le16(&f_[end + 20]) > n) {
      if (end == lowest) throw fail("not a zip archive (no end of central directory record)");
      --end;
    }
    const unsigned char *r = &f_[end];
    uint64_t disk = load_le16(r + 4), cd_disk = load_le16(r + 6);
    uint64_t count_here = load_le16(r + 8), count = load_le16(r + 10);
    uint64_t cd_size = load_le32(r + 12), cd_offset = load_le32(r + 16);
    uint64_t cd_limit = end;  // the central directory must end before this

    // A zip64 locator right before the record points at a zip64 record whose
    // 64-bit fields replace the 16- and 32-bit ones above.
    if (end >= kZip64LocatorSize && load_le32(&f_[end - kZip64LocatorSize]) == kZip64LocatorSig) {
      const unsigned char *loc = &f_[end - kZip64LocatorSize];
      const uint64_t z_offset = load_le64(loc + 8);
      if (load_le32(loc + 4) != 0 || load_le32(loc + 16) > 1)
        throw fail("multi-disk zip archives are not supported");
      if (!in_bounds(z_offset, kZip64EndSize, end - kZip64LocatorSize) ||
          load_le32(&f_[z_offset]) != kZip64EndSig)
        throw fail("corrupt zip64 end of central directory record");
      const unsigned char *z = &f_[z_offset];
      disk = load_le32(z + 16);
      cd_disk = load_le32(z + 20);
      count_here = load_le64(z + 24);
      count = load_le64(z + 32);
      cd_size = load_le64(z + 40);
      cd_offset = load_le64(z + 48);
      cd_limit = z_offset;
    }
    if (disk != 0 || cd_disk != 0 || count_here != count)
      throw fail("multi-disk zip archives are not supported");
    if (!in_bounds(cd_offset, cd_size, cd_limit))
      throw fail("corrupt zip archive (central directory outside the file)");

    std::vector<Entry> entries;
    uint64_t p = cd_offset;
    const uint64_t cd_end = cd_offset + cd_size;
    // Each entry takes at least 46 bytes, so this loop is bounded by the file
    // size whatever `count` claims.
    for (uint64_t i = 0; i < count; ++i) {
      if (!in_bounds(p, kCentralHeaderSize, cd_end) || load_le32(&f_[p]) != kCentralHeaderSig)
        throw fail("corrupt zip archive (bad central directory entry " + std::to_string(i) + ")");
      const unsigned char *h = &f_[p];
      Entry e;
      e.flags = load_le16(h + 8);
      e.method = load_le16(h + 10);
      e.crc = load_le32(h + 16);
      e.compressed = load_le32(h + 20);
      e.uncompressed = load_le32(h + 24);
      const uint64_t name_len = load_le16(h + 28), extra_len = load_le16(h + 30);
      const uint64_t comment_len = load_le16(h + 32);
      const uint64_t start_disk = load_le16(h + 34);
      e.local_offset = load_le32(h + 42);
      const uint64_t var_len = name_len + extra_len + comment_len;
      if (!in_bounds(p + kCentralHeaderSize, var_len, cd_end))
        throw fail("corrupt zip archive (central directory entry " + std::to_string(i) +
                   " overruns the directory)");
      const unsigned char *name = h + kCentralHeaderSize;
      e.name.assign(reinterpret_cast<const char *>(name), name_len);
      apply_zip64_extra(name + name_len, extra_len, start_disk, &e);
      entries.push_back(std::move(e));
      p += kCentralHeaderSize + var_len;
    }
    return entries;
  }

  // The zip64 extra field (id 1) holds, in this order, the 64-bit values of
  // whichever of uncompressed size, compressed size, local header offset and
  // start disk are set to all-ones in the fixed header.
  void apply_zip64_extra(const unsigned char *extra, uint64_t len, uint64_t start_disk, Entry *e) {
    uint64_t q = 0;
    while (q + 4 <= len) {
      const uint16_t id = load_le16(extra + q), size = load_le16(extra + q + 2);
      q += 4;
      if (size > len - q) throw fail(*e, "corrupt extra field");
      if (id == 1) {
        const unsigned char *v = extra + q, *v_end = extra + q + size;
        auto take = [&](uint64_t *field) {
          if (v_end - v < 8) throw fail(*e, "corrupt zip64 extra field");
          *field = load_le64(v);
          v += 8;
        };
        if (e->uncompressed == kMax32) take(&e->uncompressed);
        if (e->compressed == kMax32) take(&e->compressed);
        if (e->local_offset == kMax32) take(&e->local_offset);
        if (start_disk == 0xffff) {
          if (v_end - v < 4) throw fail(*e, "corrupt zip64 extra field");
          start_disk = load_le32(v);
        }
      }
      q += size;
    }
    if (start_disk != 0) throw fail("multi-disk zip archives are not supported");
  }

  // Reads the local header, which only tells where the data starts (its name and
  // extra field may differ in length from the central directory's).
  void locate_data(Entry *e) {
    const uint64_t off = e->local_offset;
    if (!in_bounds(off, kLocalHeaderSize, f_.size()) || load_le32(&f_[off]) != kLocalHeaderSig)
      throw fail(*e, "corrupt zip archive (bad local header)");
    const uint64_t name_len = load_le16(&f_[off + 26]), extra_len = load_le16(&f_[off + 28]);
    const uint64_t start = off + kLocalHeaderSize;
    if (!in_bounds(start, name_len + extra_len, f_.size()))
      throw fail(*e, "corrupt zip archive (local header overruns the file)");
    if (name_len != e->name.size() ||
        !std::equal(e->name.begin(), e->name.end(), f_.begin() + static_cast<ptrdiff_t>(start)))
      throw fail(*e, "corrupt zip archive (local and central names differ)");
    e->data_offset = start + name_len + extra_len;
    if (!in_bounds(e->data_offset, e->compressed, f_.size()))
      throw fail(*e, "truncated zip archive (data runs past the end of the file)");
  }

  // Entries sharing bytes are how "overlapping" zip bombs multiply a small file
  // into a huge output; real archives never do it.
  void check_no_overlap(const std::vector<Entry> &entries) const {
    std::vector<std::pair<uint64_t, uint64_t>> ranges;  // [local header, data end)
    for (const Entry &e : entries)
      ranges.emplace_back(e.local_offset, e.data_offset + e.compressed);
    std::sort(ranges.begin(), ranges.end());
    for (size_t i = 1; i < ranges.size(); ++i)
      if (ranges[i].first < ranges[i - 1].second)
        throw fail("corrupt zip archive (entries overlap)");
  }

  Array extract(const Entry &e) const {
    const std::string what = what_ + ": entry " + quoted(e.name);
    if (e.flags & 1) throw fail(e, "encrypted entries are not supported");
    const unsigned char *src = f_.data() + e.data_offset;
    if (e.method == 0) {
      if (e.compressed != e.uncompressed)
        throw fail(e, "corrupt zip archive (stored entry with differing sizes)");
      check_crc(e, src);
      return parse_npy(src, static_cast<size_t>(e.uncompressed), what);
    }
    if (e.method != 8)
      throw fail(e, "unsupported compression method " + std::to_string(e.method) +
                        " (only stored and deflated entries are)");
    uint64_t limit = 0;
    if (!checked_add(e.compressed * kMaxDeflateRatio, 1024, &limit) || e.uncompressed > limit ||
        e.uncompressed > SIZE_MAX)
      throw fail(e, "corrupt zip archive (implausible uncompressed size)");
    std::vector<unsigned char> out(static_cast<size_t>(e.uncompressed));
    inflate_raw(e, src, &out);
    check_crc(e, out.data());
    return parse_npy(out.data(), out.size(), what);
  }

  void inflate_raw(const Entry &e, const unsigned char *src,
                   std::vector<unsigned char> *out) const {
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) throw fail(e, "cannot initialize zlib");
    struct End {
      z_stream *zs;
      ~End() { inflateEnd(zs); }
    } end{&zs};
    // zlib rejects null buffers even when empty, and counts in 32 bits.
    unsigned char dummy = 0;
    uint64_t in_pos = 0, out_pos = 0;
    for (;;) {
      const uint64_t in_left = e.compressed - in_pos, out_left = out->size() - out_pos;
      zs.next_in = const_cast<unsigned char *>(in_left ? src + in_pos : &dummy);
      zs.avail_in = static_cast<uInt>(std::min<uint64_t>(in_left, UINT_MAX));
      zs.next_out = out_left ? out->data() + out_pos : &dummy;
      zs.avail_out = static_cast<uInt>(std::min<uint64_t>(out_left, UINT_MAX));
      const uInt avail_in = zs.avail_in, avail_out = zs.avail_out;
      const int rc = inflate(&zs, Z_NO_FLUSH);
      in_pos += avail_in - zs.avail_in;
      out_pos += avail_out - zs.avail_out;
      if (rc == Z_STREAM_END) break;
      if (rc == Z_BUF_ERROR ||
          (rc == Z_OK && avail_in == zs.avail_in && avail_out == zs.avail_out)) {
        throw fail(e, out_pos == out->size()
                          ? "corrupt zip archive (data larger than its declared size)"
                          : "truncated compressed data");
      }
      if (rc != Z_OK) throw fail(e, "corrupt compressed data");
    }
    if (out_pos != out->size())
      throw fail(e, "corrupt zip archive (data smaller than its declared size)");
  }

  void check_crc(const Entry &e, const unsigned char *data) const {
    uLong crc = crc32(0, Z_NULL, 0);
    for (uint64_t done = 0; done < e.uncompressed;) {
      const uInt chunk = static_cast<uInt>(std::min<uint64_t>(e.uncompressed - done, UINT_MAX));
      crc = crc32(crc, data + done, chunk);
      done += chunk;
    }
    if (crc != e.crc) throw fail(e, "CRC mismatch (corrupt data)");
  }

  const std::vector<unsigned char> &f_;
  const std::string what_;
};

}  // namespace

std::map<std::string, Array> load_npz(const std::string &path) {
  const std::vector<unsigned char> file = detail::read_file(path);
  return Reader(file, printable(path)).read();
}

}  // namespace crgb::npy
