// Builds small ZIP archives (APPNOTE.TXT 4.3) for the npz tests: stored or
// deflated entries, optionally with zip64 fields, with hooks to corrupt them.
#ifndef CRGB_TESTS_CLI_ZIP_BUILDER_H
#define CRGB_TESTS_CLI_ZIP_BUILDER_H

#include <zlib.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace crgb_test {

struct ZipEntry {
  std::string name;
  std::vector<unsigned char> data;  // uncompressed
  int method = 0;                   // 0 stored, 8 deflated
};

struct ZipOptions {
  // Central directory sizes and offsets as 0xffffffff with a zip64 extra field,
  // and a zip64 end record and locator, as an archive over 4 GiB would have.
  bool zip64 = false;
  std::string comment;
};

inline void put16(std::vector<unsigned char> *out, uint64_t v) {
  for (int i = 0; i < 2; ++i) out->push_back((v >> (8 * i)) & 0xff);
}
inline void put32(std::vector<unsigned char> *out, uint64_t v) {
  for (int i = 0; i < 4; ++i) out->push_back((v >> (8 * i)) & 0xff);
}
inline void put64(std::vector<unsigned char> *out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back((v >> (8 * i)) & 0xff);
}

inline std::vector<unsigned char> raw_deflate(const std::vector<unsigned char> &in) {
  z_stream zs{};
  if (deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::vector<unsigned char> out(deflateBound(&zs, in.size()) + 16);
  unsigned char dummy = 0;
  zs.next_in = in.empty() ? &dummy : const_cast<unsigned char *>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

inline std::vector<unsigned char> make_zip(const std::vector<ZipEntry> &entries,
                                           const ZipOptions &opt = {}) {
  std::vector<unsigned char> out, cd;
  for (const ZipEntry &e : entries) {
    const std::vector<unsigned char> body = e.method == 8 ? raw_deflate(e.data) : e.data;
    const uint32_t crc =
        static_cast<uint32_t>(crc32(0, e.data.data(), static_cast<uInt>(e.data.size())));
    const uint64_t offset = out.size();
    put32(&out, 0x04034b50);
    put16(&out, 20);  // version needed
    put16(&out, 0);   // flags
    put16(&out, e.method);
    put32(&out, 0);  // time, date
    put32(&out, crc);
    put32(&out, body.size());
    put32(&out, e.data.size());
    put16(&out, e.name.size());
    put16(&out, 0);  // extra length
    out.insert(out.end(), e.name.begin(), e.name.end());
    out.insert(out.end(), body.begin(), body.end());

    put32(&cd, 0x02014b50);
    put16(&cd, 45);  // version made by
    put16(&cd, opt.zip64 ? 45 : 20);
    put16(&cd, 0);
    put16(&cd, e.method);
    put32(&cd, 0);
    put32(&cd, crc);
    put32(&cd, opt.zip64 ? 0xffffffff : body.size());
    put32(&cd, opt.zip64 ? 0xffffffff : e.data.size());
    put16(&cd, e.name.size());
    put16(&cd, opt.zip64 ? 4 + 24 : 0);
    put16(&cd, 0);  // comment length
    put16(&cd, 0);  // start disk
    put16(&cd, 0);  // internal attributes
    put32(&cd, 0);  // external attributes
    put32(&cd, opt.zip64 ? 0xffffffff : offset);
    cd.insert(cd.end(), e.name.begin(), e.name.end());
    if (opt.zip64) {
      put16(&cd, 1);
      put16(&cd, 24);
      put64(&cd, e.data.size());
      put64(&cd, body.size());
      put64(&cd, offset);
    }
  }
  const uint64_t cd_offset = out.size();
  out.insert(out.end(), cd.begin(), cd.end());
  if (opt.zip64) {
    const uint64_t z_offset = out.size();
    put32(&out, 0x06064b50);
    put64(&out, 44);  // size of the rest of the record
    put16(&out, 45);
    put16(&out, 45);
    put32(&out, 0);
    put32(&out, 0);
    put64(&out, entries.size());
    put64(&out, entries.size());
    put64(&out, cd.size());
    put64(&out, cd_offset);
    put32(&out, 0x07064b50);
    put32(&out, 0);
    put64(&out, z_offset);
    put32(&out, 1);
  }
  put32(&out, 0x06054b50);
  put16(&out, 0);
  put16(&out, 0);
  put16(&out, opt.zip64 ? 0xffff : entries.size());
  put16(&out, opt.zip64 ? 0xffff : entries.size());
  put32(&out, opt.zip64 ? 0xffffffff : cd.size());
  put32(&out, opt.zip64 ? 0xffffffff : cd_offset);
  put16(&out, opt.comment.size());
  out.insert(out.end(), opt.comment.begin(), opt.comment.end());
  return out;
}

}  // namespace crgb_test

#endif  // CRGB_TESTS_CLI_ZIP_BUILDER_H
