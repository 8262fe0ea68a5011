// The command-line contract of the `crgb` binary (path in CRGB_CLI_PATH), run as
// a child process: results equal the library's bit for bit, and every bad input
// gives exit status 2, exactly one "<Class>: <message>" line on stderr and no
// output file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <crgb/crgb.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <sstream>
#include <tuple>

#include "cli_runner.h"
#include "npy.h"
#include "npy_builder.h"
#include "test_files.h"

namespace crgb_test {
namespace {

// A small valid problem; the image is stored as `image_descr`.
struct Problem {
  std::vector<float> grads, boxes;
  std::vector<int32_t> box_ind;
  Bytes image;  // little-endian elements of image_descr
  std::string image_descr = "<f4";
  crgb_dtype image_dtype = CRGB_FLOAT32;
  int64_t n = 3, ch = 3, cw = 4, batch = 2, h = 5, w = 6, depth = 2;
};

Problem make_problem(const std::string &descr, crgb_dtype dtype, int size, unsigned seed = 1) {
  Problem p;
  p.image_descr = descr;
  p.image_dtype = dtype;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(-1.f, 1.f);
  for (int64_t i = 0; i < p.n * p.ch * p.cw * p.depth; ++i) p.grads.push_back(unit(rng));
  for (int64_t i = 0; i < p.n; ++i) {
    for (int j = 0; j < 4; ++j) p.boxes.push_back(0.5f + 0.7f * unit(rng));  // some outside
    p.box_ind.push_back(static_cast<int32_t>(i % p.batch));
  }
  p.boxes[0] = 0.9f;  // a flipped box: y1 > y2
  p.boxes[2] = 0.1f;
  const int64_t count = p.batch * p.h * p.w * p.depth;
  if (dtype == CRGB_FLOAT16) {
    // Finite halves: any sign and mantissa, exponent field below all-ones.
    std::vector<int64_t> bits;
    for (int64_t i = 0; i < count; ++i)
      bits.push_back(static_cast<int64_t>((rng() & 0x83ff) | ((rng() % 31) << 10)));
    p.image = le_bytes(bits, 2);
  } else if (dtype == CRGB_BFLOAT16) {
    // Finite bfloat16s: any sign and mantissa, exponent field below all-ones.
    std::vector<int64_t> bits;
    for (int64_t i = 0; i < count; ++i)
      bits.push_back(static_cast<int64_t>((rng() & 0x807f) | ((rng() % 255) << 7)));
    p.image = le_bytes(bits, 2);
  } else if (dtype == CRGB_FLOAT32 || dtype == CRGB_FLOAT64) {
    std::vector<float> f;
    std::vector<double> d;
    for (int64_t i = 0; i < count; ++i) {
      f.push_back(100.f * unit(rng));
      d.push_back(100.0 * unit(rng));
    }
    p.image = dtype == CRGB_FLOAT32 ? le_bytes_of(f) : le_bytes_of(d);
  } else {
    const bool is_unsigned = descr[1] == 'u';
    const int64_t lo = is_unsigned ? 0 : (size == 1 ? -128 : -3000);
    const int64_t hi = size == 1 ? (is_unsigned ? 255 : 127) : 3000;
    std::vector<int64_t> v;
    for (int64_t i = 0; i < count; ++i)
      v.push_back(lo + static_cast<int64_t>(rng() % (hi - lo + 1)));
    p.image = le_bytes(v, size);
  }
  return p;
}

Problem float_problem() {
  return make_problem("<f4", CRGB_FLOAT32, 4);
}

// Writes G, I, B, K .npy files and returns the flags naming them.
std::vector<std::string> write_inputs(const TempDir &dir, const Problem &p) {
  write_bytes(dir.file("g.npy"),
              make_npy(1, npy_dict("<f4", {p.n, p.ch, p.cw, p.depth}), le_bytes_of(p.grads)));
  write_bytes(dir.file("i.npy"),
              make_npy(1, npy_dict(p.image_descr, {p.batch, p.h, p.w, p.depth}), p.image));
  write_bytes(dir.file("b.npy"), make_npy(1, npy_dict("<f4", {p.n, 4}), le_bytes_of(p.boxes)));
  write_bytes(dir.file("k.npy"), make_npy(1, npy_dict("<i4", {p.n}), le_bytes_of(p.box_ind)));
  return {"grad-boxes",      "--grads", dir.file("g.npy"), "--image",
          dir.file("i.npy"), "--boxes", dir.file("b.npy"), "--box-ind",
          dir.file("k.npy"), "--out",   dir.file("o.npy")};
}

std::vector<float> library_result(const Problem &p, const std::string &variant) {
  return crgb::grad_boxes(crgb::tensor(p.grads.data(), {p.n, p.ch, p.cw, p.depth}),
                          crgb::tensor(p.image.data(), p.image_dtype, {p.batch, p.h, p.w, p.depth}),
                          crgb::tensor(p.boxes.data(), {p.n, 4}),
                          crgb::tensor(p.box_ind.data(), {p.n}), variant);
}

void expect_output_equals(const TempDir &dir, const std::vector<float> &want, int64_t rows) {
  const crgb::npy::Array a = crgb::npy::load_npy(dir.file("o.npy"));
  EXPECT_EQ(a.dtype, CRGB_FLOAT32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{rows, 4}));
  ASSERT_EQ(a.bytes.size(), want.size() * sizeof(float));
  if (!want.empty()) {  // memcmp must not see the null data() of an empty vector
    EXPECT_EQ(std::memcmp(a.bytes.data(), want.data(), a.bytes.size()), 0) << "not bit-identical";
  }
}

TEST(Cli, ResultEqualsTheReferenceBitForBitForEveryImageDtype) {
  const std::tuple<const char *, crgb_dtype, int> dtypes[] = {
      {"|u1", CRGB_UINT8, 1},    {"<u2", CRGB_UINT16, 2},  {"|i1", CRGB_INT8, 1},
      {"<i2", CRGB_INT16, 2},    {"<i4", CRGB_INT32, 4},   {"<i8", CRGB_INT64, 8},
      {"<f2", CRGB_FLOAT16, 2},  {"<f4", CRGB_FLOAT32, 4}, {"<f8", CRGB_FLOAT64, 8},
      {"<V2", CRGB_BFLOAT16, 2},  // ml_dtypes' bfloat16
  };
  for (const auto &[descr, dtype, size] : dtypes) {
    SCOPED_TRACE(descr);
    TempDir dir;
    const Problem p = make_problem(descr, dtype, size, 7);
    std::vector<std::string> args = write_inputs(dir, p);
    args.insert(args.end(), {"--variant", "reference"});
    const Result r = run_cli(dir, args);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    expect_output_equals(dir, library_result(p, "reference"), p.n);
  }
}

TEST(Cli, AutomaticVariantAndThreadsMatchTheLibrary) {
  TempDir dir;
  const Problem p = float_problem();
  std::vector<std::string> args = write_inputs(dir, p);
  args.insert(args.end(), {"--threads", "2", "--method", "bilinear"});
  const Result r = run_cli(dir, args);
  ASSERT_EQ(r.status, 0) << r.err;
  expect_output_equals(dir, library_result(p, ""), p.n);
  EXPECT_EQ(dir.list(), (std::vector<std::string>{"b.npy", "g.npy", "i.npy", "k.npy", "o.npy"}));
}

TEST(Cli, NoBoxesGivesAnEmptyResult) {
  TempDir dir;
  Problem p = float_problem();
  p.n = 0;
  p.grads.clear();
  p.boxes.clear();
  p.box_ind.clear();
  const Result r = run_cli(dir, write_inputs(dir, p));
  ASSERT_EQ(r.status, 0) << r.err;
  expect_output_equals(dir, {}, 0);
}

// A fresh problem directory, one input replaced by `bytes`.
void expect_bad_input(const std::string &file, const Bytes &bytes, const std::string &prefix) {
  SCOPED_TRACE(file + " -> " + prefix);
  TempDir dir;
  const auto args = write_inputs(dir, float_problem());
  write_bytes(dir.file(file), bytes);
  expect_failure(dir, args, prefix);
}

TEST(Cli, BadFilesAreInvalidArgument) {
  TempDir dir;
  const Problem p = float_problem();
  auto args = write_inputs(dir, p);
  const Bytes grads = read_bytes(dir.file("g.npy"));

  std::filesystem::remove(dir.file("k.npy"));
  expect_failure(dir, args, "InvalidArgument: --box-ind: cannot open");

  expect_bad_input("g.npy", Bytes(grads.begin(), grads.end() - 1), "InvalidArgument: --grads: ");
  expect_bad_input("g.npy", Bytes(grads.begin(), grads.begin() + 20), "InvalidArgument: --grads: ");
  Bytes magic = grads;
  magic[1] = 'X';
  expect_bad_input("g.npy", magic, "InvalidArgument: --grads: ");
  expect_bad_input("i.npy",
                   make_npy(1, npy_dict("|b1", {p.batch, p.h, p.w, p.depth}),
                            Bytes(static_cast<size_t>(p.batch * p.h * p.w * p.depth))),
                   "InvalidArgument: --image: ");
  expect_bad_input("b.npy", make_npy(1, npy_dict(">f4", {p.n, 4}), le_bytes_of(p.boxes)),
                   "InvalidArgument: --boxes: ");
  expect_bad_input("b.npy", make_npy(1, npy_dict("<f4", {p.n, 4}, true), le_bytes_of(p.boxes)),
                   "InvalidArgument: --boxes: ");
  // The messages say what is wrong.
  const Bytes bool_image = make_npy(1, npy_dict("|b1", {1}), {1});
  TempDir d2;
  const auto args2 = write_inputs(d2, p);
  write_bytes(d2.file("i.npy"), bool_image);
  EXPECT_NE(run_cli(d2, args2).err.find("'|b1' (bool)"), std::string::npos);
  write_bytes(d2.file("i.npy"), make_npy(1, npy_dict(">f8", {1}), Bytes(8)));
  EXPECT_NE(run_cli(d2, args2).err.find("big-endian"), std::string::npos);
}

TEST(Cli, InvalidInputsGiveTheLibrarysError) {
  const Problem p = float_problem();
  std::vector<int32_t> bad_ind = p.box_ind;
  bad_ind[1] = static_cast<int32_t>(p.batch);
  expect_bad_input("k.npy", make_npy(1, npy_dict("<i4", {p.n}), le_bytes_of(bad_ind)),
                   "OutOfRange: box_index has values outside [0, batch_size)");
  bad_ind[1] = -1;
  expect_bad_input("k.npy", make_npy(1, npy_dict("<i4", {p.n}), le_bytes_of(bad_ind)),
                   "OutOfRange: box_index has values outside [0, batch_size)");
  expect_bad_input("g.npy",
                   make_npy(1, npy_dict("<f4", {p.n, p.ch, p.cw * p.depth}), le_bytes_of(p.grads)),
                   "InvalidArgument: grads image must be 4-D");
  // box_ind written as NumPy's default int64: the op takes int32 only.
  std::vector<int64_t> ind64(p.box_ind.begin(), p.box_ind.end());
  expect_bad_input("k.npy", make_npy(1, npy_dict("<i8", {p.n}), le_bytes(ind64, 8)),
                   "InvalidArgument: ");
  // Shapes that claim many rows but hold no data must not be trusted for sizing.
  expect_bad_input("b.npy", make_npy(1, npy_dict("<f4", {int64_t{1} << 60, 0}), {}),
                   "InvalidArgument: ");
  expect_bad_input("b.npy", make_npy(1, npy_dict("<f4", {}), le_bytes_of<float>({0.5f})),
                   "InvalidArgument: ");

  TempDir dir;
  const auto args = write_inputs(dir, p);
  write_bytes(dir.file("o.npy"), {'k', 'e', 'e', 'p'});  // survives a failed run
  std::vector<int32_t> oob = p.box_ind;
  oob[0] = 99;
  write_bytes(dir.file("k.npy"), make_npy(1, npy_dict("<i4", {p.n}), le_bytes_of(oob)));
  expect_failure(dir, args, "OutOfRange: ");
}

// A CUDA variant named on the command line: without a GPU, Unavailable with
// the driver's reason and exit status 2; with one, the library's result.
TEST(Cli, CudaVariantByName) {
  const crgb::VariantInfo *cuda = nullptr;
  const auto list = crgb::variants();
  for (const crgb::VariantInfo &v : list)
    if (v.target.find("-cuda") != std::string::npos) cuda = &v;
  if (cuda == nullptr) GTEST_SKIP() << "this build has no CUDA variant";
  const Problem p = float_problem();
  TempDir dir;
  auto args = write_inputs(dir, p);
  args.insert(args.end(), {"--variant", cuda->name});
  if (cuda->available) {
    const Result r = run_cli(dir, args);
    ASSERT_EQ(r.status, 0) << r.err;
    expect_output_equals(dir, library_result(p, cuda->name), p.n);
    return;
  }
  expect_failure(dir, args,
                 "Unavailable: variant '" + cuda->name + "' needs a CUDA GPU; no CUDA device: ");
}

TEST(Cli, BadFlagsAreInvalidArgument) {
  TempDir dir;
  const auto args = write_inputs(dir, float_problem());
  expect_failure(dir, plus(args, {"--variant", "nosuch"}), "InvalidArgument: ");
  expect_failure(dir, plus(args, {"--method", "nearest"}),
                 "InvalidArgument: method must be 'bilinear'");
  expect_failure(dir, plus(args, {"--nosuch", "1"}), "InvalidArgument: ");
  expect_failure(dir, plus(args, {"--threads", "-1"}), "InvalidArgument: ");
  expect_failure(dir, plus(args, {"--threads", "two"}), "InvalidArgument: ");
  expect_failure(dir, plus(args, {"--threads"}), "InvalidArgument: ");
  expect_failure(dir, plus(args, {"--out", "again.npy"}), "InvalidArgument: ");
  expect_failure(dir, plus(args, {"positional"}), "InvalidArgument: ");
  expect_each_flag_required(dir, args, "grad-boxes",
                            {"--grads", "--image", "--boxes", "--box-ind", "--out"});
  expect_failure(dir, {}, "InvalidArgument: ");
  expect_failure(dir, {"nosuch-command"}, "InvalidArgument: ");
  expect_failure(dir, {"--nosuch-flag"}, "InvalidArgument: ");
  expect_failure(dir, {"variants", "--json=yes"}, "InvalidArgument: ");
  // The output cannot be created: also InvalidArgument, and nothing is left.
  expect_failure(dir, replacing(args, "--out", dir.file("no/such/dir/o.npy")),
                 "InvalidArgument: --out: ");
}

// Outputs that cannot be written: an existing directory, a path through a
// regular file, a read-only directory (skipped for root, whom permissions do
// not stop): exit status 2, "InvalidArgument: --out: <why>", and no file left
// behind, final or temporary.
TEST(Cli, UnwritableOutputPathIsInvalidArgument) {
  TempDir dir;
  const auto args = write_inputs(dir, float_problem());
  auto with_out = [&](const std::string &out) { return replacing(args, "--out", out); };
  std::filesystem::create_directory(dir.file("a_directory"));
  expect_failure(dir, with_out(dir.file("a_directory")), "InvalidArgument: --out: ");
  EXPECT_TRUE(std::filesystem::is_empty(dir.file("a_directory")));
  expect_failure(dir, with_out(dir.file("g.npy") + "/o.npy"), "InvalidArgument: --out: ");
  if (::geteuid() != 0) {
    const std::string ro = dir.file("read_only");
    std::filesystem::create_directory(ro);
    std::filesystem::permissions(
        ro, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    expect_failure(dir, with_out(ro + "/o.npy"), "InvalidArgument: --out: ");
    EXPECT_TRUE(std::filesystem::is_empty(ro));
    std::filesystem::permissions(ro, std::filesystem::perms::owner_all);
  }
}

// A Fortran-ordered array and a big-endian one are refused with messages that
// say so (exit status 2, no output: BadFilesAreInvalidArgument).
TEST(Cli, FortranOrderAndByteOrderAreNamed) {
  TempDir dir;
  const Problem p = float_problem();
  const auto args = write_inputs(dir, p);
  write_bytes(dir.file("g.npy"),
              make_npy(1, npy_dict("<f4", {p.n, p.ch, p.cw, p.depth}, true), le_bytes_of(p.grads)));
  Result r = run_cli(dir, args);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("fortran_order"), std::string::npos) << r.err;
  EXPECT_FALSE(exists(dir.file("o.npy")));
  write_inputs(dir, p);
  write_bytes(dir.file("k.npy"),
              make_npy(1, npy_dict(">i4", {p.n}), Bytes(static_cast<size_t>(4 * p.n))));
  r = run_cli(dir, args);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("big-endian"), std::string::npos) << r.err;
  EXPECT_FALSE(exists(dir.file("o.npy")));
}

TEST(Cli, AFileNameWithANewlineStaysOnOneLine) {
  TempDir dir;
  auto args = write_inputs(dir, float_problem());
  args[2] = dir.file("missing\nfile.npy");
  expect_failure(dir, args, "InvalidArgument: --grads: ");
}

// The characters of `text` that are not whitespace: JSON compared without layout.
template <typename Chars>
std::string without_space(const Chars &text) {
  std::string s;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) s += c;
  return s;
}

// How often `key` occurs in `s`.
size_t occurrences(const std::string &s, const std::string &key) {
  size_t n = 0;
  for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + 1)) ++n;
  return n;
}

// The ops of variant `index` by name, as the library reports them.
std::vector<std::string> ops_of(int index) {
  crgb_variant_info info{};
  EXPECT_EQ(crgb_variant_get(index, &info), 0);
  std::vector<std::string> ops;
  for (crgb_op op : {CRGB_OP_GRAD_BOXES, CRGB_OP_CROP_AND_RESIZE, CRGB_OP_GRAD_IMAGE})
    if (info.ops & (1 << op)) ops.push_back(crgb_op_name(op));
  return ops;
}

TEST(Cli, VariantsJson) {
  TempDir dir;
  const Result r = run_cli(dir, {"variants", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string s = without_space(r.out);
  ASSERT_GE(s.size(), 2u);
  EXPECT_EQ(s.front(), '[');
  EXPECT_EQ(s.back(), ']');
  // One object per variant, each with the five keys and JSON booleans.
  const int count = crgb_variant_count();
  ASSERT_GE(count, 1);
  EXPECT_EQ(std::count(s.begin(), s.end(), '{'), count);
  EXPECT_EQ(std::count(s.begin(), s.end(), '}'), count);
  for (const char *key :
       {"\"name\":\"", "\"target\":\"", "\"available\":", "\"selected\":", "\"ops\":["})
    EXPECT_EQ(occurrences(s, key), static_cast<size_t>(count)) << key;
  EXPECT_NE(s.find("\"name\":\"reference\""), std::string::npos);
  EXPECT_EQ(occurrences(s, ":true") + occurrences(s, ":false"), 2u * count);
  // Exactly one variant is selected, the one the library reports.
  EXPECT_NE(s.find(std::string("\"name\":\"") + crgb_selected_variant() + "\""), std::string::npos);
  // Each record's "ops" lists the op names of its crgb_variant_info.ops, in
  // the records' order; the reference implements all three.
  size_t at = 0;
  for (int i = 0; i < count; ++i) {
    crgb_variant_info info{};
    ASSERT_EQ(crgb_variant_get(i, &info), 0);
    std::string list;
    for (const std::string &op : ops_of(i)) list += (list.empty() ? "\"" : ",\"") + op + "\"";
    const std::string record = "{\"name\":\"" + std::string(info.name) + "\"";
    at = s.find(record, at);
    ASSERT_NE(at, std::string::npos) << record;
    const size_t end = s.find('}', at);
    EXPECT_NE(s.substr(at, end + 1 - at).find(",\"ops\":[" + list + "]}"), std::string::npos)
        << s.substr(at, end + 1 - at);
    if (std::string(info.name) == "reference") {
      EXPECT_EQ(list, "\"grad_boxes\",\"crop_and_resize\",\"grad_image\"");
    }
  }
}

// The bench records of `op` in `json` (whitespace removed), each "{...}".
std::vector<std::string> bench_records(const std::string &json, const std::string &op) {
  std::vector<std::string> out;
  for (size_t at = json.find('{'); at != std::string::npos; at = json.find('{', at + 1)) {
    const std::string record = json.substr(at, json.find('}', at) + 1 - at);
    if (record.find("\"op\":\"" + op + "\"") != std::string::npos) out.push_back(record);
  }
  return out;
}

// Whether the selected variant implements `op` (crgb_variant_info.ops).
bool selected_implements(crgb_op op) {
  for (int i = 0; i < crgb_variant_count(); ++i) {
    crgb_variant_info info{};
    if (crgb_variant_get(i, &info) == 0 && info.selected) return (info.ops & (1 << op)) != 0;
  }
  return false;
}

// `crgb bench --op all` checks each variant against the reference before
// timing it and writes one record per (op, workload, variant), each with its
// op and the bytes its roofline counts; --cold marks the records.
TEST(Cli, BenchWritesVerifiedRecordsForEveryOp) {
  TempDir dir;
  const std::string json = dir.file("b.json"), csv = dir.file("b.csv"), svg = dir.file("b.svg");
  const std::string selected = crgb_selected_variant();
  const Result r =
      run_cli(dir, {"bench", "--op", "all", "--shape", "1,6,6,8,4,3,3", "--variants", selected,
                    "--samples", "10", "--cold", "--json", json, "--csv", csv, "--plot", svg});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("inputs cold"), std::string::npos) << r.out;
  const std::string s = without_space(read_bytes(json));
  size_t records = 0;
  for (crgb_op op : {CRGB_OP_CROP_AND_RESIZE, CRGB_OP_GRAD_IMAGE, CRGB_OP_GRAD_BOXES}) {
    const std::string name = crgb_op_name(op);
    SCOPED_TRACE(name);
    // One table per op, headed by its name.
    EXPECT_NE(r.out.find("\n" + name + ": GB/s over "), std::string::npos) << r.out;
    const size_t want = selected != "reference" && selected_implements(op) ? 2 : 1;
    const std::vector<std::string> got = bench_records(s, name);
    EXPECT_EQ(got.size(), want) << s;
    for (const std::string &rec : got) {
      for (const char *key : {"\"workload\":\"C1\"", "\"ok\":true", "\"cold\":true",
                              "\"peer\":false", "\"bytes_counted\":\"", "\"dtype\":\"float32\""})
        EXPECT_NE(rec.find(key), std::string::npos) << key << " in " << rec;
      EXPECT_EQ(rec.find("\"bytes\":0,"), std::string::npos) << rec;
      EXPECT_NE(rec.find("\"bytes\":"), std::string::npos) << rec;
    }
    records += want;
  }
  EXPECT_EQ(static_cast<size_t>(std::count(s.begin(), s.end(), '{')), records) << s;
  const Bytes c = read_bytes(csv);
  const std::string csv_text(c.begin(), c.end());
  EXPECT_EQ(csv_text.rfind("op,workload,variant,dtype,bytes,bytes_counted,median_ms", 0), 0u);
  EXPECT_EQ(static_cast<size_t>(std::count(csv_text.begin(), csv_text.end(), '\n')), records + 1);
  const Bytes p = read_bytes(svg);
  const std::string plot(p.begin(), p.end());
  EXPECT_NE(plot.find("<svg"), std::string::npos);
  if (selected != "reference") {  // one roofline panel per op (the reference has no bar)
    for (const char *op : {"crop_and_resize: share", "grad_image: share", "grad_boxes: share"})
      EXPECT_NE(plot.find(op), std::string::npos) << op;
  }
}

// A variant built for some image dtypes only (the autoscheduled ones: uint8
// and float32) is skipped, on one line, for a case of another dtype; the run
// goes on and times it on the dtypes it has (it used to end the whole run).
TEST(Cli, BenchSkipsAVariantForADtypeItLacks) {
  TempDir dir;
  const std::string json = dir.file("b.json");
  std::string partial;  // an available grad_boxes variant without float16
  for (int i = 0; i < crgb_variant_count() && partial.empty(); ++i) {
    crgb_variant_info info{};
    ASSERT_EQ(crgb_variant_get(i, &info), 0);
    if (info.available && std::string(info.name).find("adams2019") != std::string::npos)
      partial = info.name;
  }
  if (partial.empty()) GTEST_SKIP() << "no autoscheduled variant runs here";
  const Result r = run_cli(
      dir, {"bench", "--op", "grad-boxes", "--shape", "1,6,6,8,4,3,3", "--dtype", "float16,uint8",
            "--variants", "reference," + partial, "--samples", "10", "--json", json});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(occurrences(r.out, partial + ": skipped for grad_boxes C1 float16"), 1u) << r.out;
  const std::string s = without_space(read_bytes(json));
  // reference on both dtypes, the autoscheduled variant on uint8 only.
  EXPECT_EQ(bench_records(s, "grad_boxes").size(), 3u) << s;
}

// --op picks ops (repeatable, comma-listed, in either spelling); a variant
// that does not implement one is skipped for it, on one line; unknown ops are
// usage errors.
TEST(Cli, BenchOpsAndSkippedVariants) {
  TempDir dir;
  const std::string json = dir.file("b.json");
  std::string partial;  // an available variant without crop_and_resize
  for (int i = 0; i < crgb_variant_count(); ++i) {
    crgb_variant_info info{};
    ASSERT_EQ(crgb_variant_get(i, &info), 0);
    if (info.available && !(info.ops & (1 << CRGB_OP_CROP_AND_RESIZE)) && partial.empty())
      partial = info.name;
  }
  std::string list = "reference";
  if (!partial.empty()) list += "," + partial;
  const Result r =
      run_cli(dir, {"bench", "--op", "grad-boxes", "--op", "crop_and_resize", "--shape",
                    "1,6,6,8,4,3,3", "--variants", list, "--samples", "10", "--json", json});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string s = without_space(read_bytes(json));
  EXPECT_EQ(bench_records(s, "grad_image").size(), 0u) << s;
  EXPECT_EQ(bench_records(s, "crop_and_resize").size(), 1u) << s;
  EXPECT_EQ(bench_records(s, "grad_boxes").size(), partial.empty() ? 1u : 2u) << s;
  if (!partial.empty()) {
    EXPECT_EQ(occurrences(r.out, partial + ": skipped for crop_and_resize"), 1u) << r.out;
  }
  expect_failure_line(dir, {"bench", "--op", "grad-boxes,resize"},
                      "InvalidArgument: unknown op 'resize' (crop-and-resize, grad-image, "
                      "grad-boxes, all)");
}

// --tf-peer with a python that cannot run (given, or from CRGB_TF_PYTHON when
// the flag has no value) says so on one line and benchmarks crgb as usual.
TEST(Cli, BenchTfPeerNotAvailableStillSucceeds) {
  TempDir dir;
  const std::string json = dir.file("b.json");
  const std::vector<std::string> base = {
      "bench",     "--op", "grad-boxes", "--shape", "1,6,6,8,4,3,3", "--variants", "reference",
      "--samples", "10",   "--json",     json};
  const Result r = run_cli(dir, plus(base, {"--tf-peer", dir.file("no/such/python")}));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("tensorflow peer: not available"), std::string::npos) << r.out;
  const std::string s = without_space(read_bytes(json));
  EXPECT_EQ(bench_records(s, "grad_boxes").size(), 1u) << s;
  EXPECT_EQ(occurrences(s, "\"peer\":true"), 0u) << s;

  const char *before = std::getenv("CRGB_TF_PYTHON");
  const std::string saved = before ? before : "";
  setenv("CRGB_TF_PYTHON", dir.file("no/other/python").c_str(), 1);
  const Result e = run_cli(dir, plus(base, {"--tf-peer"}));
  if (before)
    setenv("CRGB_TF_PYTHON", saved.c_str(), 1);
  else
    unsetenv("CRGB_TF_PYTHON");
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_NE(e.out.find("tensorflow peer: not available"), std::string::npos) << e.out;
}

// With a python that has TensorFlow (CRGB_TF_PYTHON, e.g. .venv-tf/bin/python;
// skipped without it: importing TensorFlow takes seconds), TensorFlow's kernels
// are timed beside crgb's and agree with the reference, grad_image both ways.
TEST(Cli, BenchTfPeerTimesTensorFlow) {
  const char *python = std::getenv("CRGB_TF_PYTHON");
  if (python == nullptr || *python == '\0') GTEST_SKIP() << "CRGB_TF_PYTHON not set";
  TempDir dir;
  const std::string json = dir.file("b.json");
  const Result r =
      run_cli(dir, {"bench", "--op", "all", "--shape", "1,6,6,8,4,3,3", "--variants", "reference",
                    "--samples", "10", "--tf-peer", python, "--json", json});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("tensorflow peer: TensorFlow "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("grad_image vs TensorFlow "), std::string::npos) << r.out;
  const std::string s = without_space(read_bytes(json));
  for (const char *op : {"crop_and_resize", "grad_image", "grad_boxes"}) {
    size_t peers = 0;
    for (const std::string &rec : bench_records(s, op))
      if (rec.find("\"peer\":true") != std::string::npos) {
        ++peers;
        // The nondeterministic grad_image may lose updates; the rest agree.
        if (rec.find("\"variant\":\"tensorflow\"") == std::string::npos ||
            std::string(op) != "grad_image") {
          EXPECT_NE(rec.find("\"ok\":true"), std::string::npos) << rec;
        }
      }
    EXPECT_EQ(peers, std::string(op) == "grad_image" ? 2u : 1u) << op << " in " << s;
  }
}

TEST(Cli, VariantsTable) {
  TempDir dir;
  const Result r = run_cli(dir, {"variants"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("name", 0), 0u);
  EXPECT_NE(r.out.find("available"), std::string::npos);
  EXPECT_NE(r.out.find("\nreference "), std::string::npos);
  EXPECT_NE(r.out.find("  ops\n"), std::string::npos) << r.out;
  // Each row ends with its ops, comma-separated.
  std::istringstream lines(r.out);
  std::string line;
  std::getline(lines, line);  // the header
  for (int i = 0; i < crgb_variant_count(); ++i) {
    ASSERT_TRUE(std::getline(lines, line));
    std::string list;
    for (const std::string &op : ops_of(i)) list += (list.empty() ? "" : ",") + op;
    EXPECT_EQ(line.substr(line.size() - list.size() - 2), "  " + list) << line;
    if (line.rfind("reference ", 0) == 0) {
      EXPECT_EQ(list, "grad_boxes,crop_and_resize,grad_image");
    }
  }
}

TEST(Cli, HelpAndVersion) {
  TempDir dir;
  for (const std::vector<std::string> &args :
       std::vector<std::vector<std::string>>{{"--help"},
                                             {"-h"},
                                             {"grad-boxes", "--help"},
                                             {"crop-and-resize", "--help"},
                                             {"grad-image", "-h"},
                                             {"variants", "--help"},
                                             {"grad-boxes", "--out", "x.npy", "-h"}}) {
    const Result r = run_cli(dir, args);
    EXPECT_EQ(r.status, 0) << args[0];
    EXPECT_EQ(r.out.rfind("usage: crgb", 0), 0u) << r.out;
    EXPECT_EQ(r.err, "");
  }
  const std::string help = run_cli(dir, {"--help"}).out;
  for (const char *command : {"crop-and-resize", "grad-image", "grad-boxes", "variants", "bench"})
    EXPECT_NE(help.find("\n  " + std::string(command) + " "), std::string::npos) << command;
  EXPECT_EQ(
      run_cli(dir, {"crop-and-resize", "--help"}).out.rfind("usage: crgb crop-and-resize ", 0), 0u);
  EXPECT_EQ(run_cli(dir, {"grad-image", "--help"}).out.rfind("usage: crgb grad-image ", 0), 0u);
  const Result v = run_cli(dir, {"--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out, std::string(crgb_version()) + "\n");
  EXPECT_FALSE(exists(dir.file("x.npy")));
}

}  // namespace
}  // namespace crgb_test
