// Whole-file reads and all-or-nothing writes; errors are npy::Error naming the path.
#ifndef CRGB_CLI_FILE_IO_H
#define CRGB_CLI_FILE_IO_H

#include <cstddef>
#include <string>
#include <vector>

namespace crgb::npy::detail {

// Reads all of `path` (a regular file, pipe or device).
std::vector<unsigned char> read_file(const std::string &path);

struct Chunk {
  const void *data;
  size_t size;
};

// Writes the chunks, in order, to a temporary file next to `path`, then renames
// it over `path`. On failure the temporary file is removed and `path` is untouched.
void write_file_atomically(const std::string &path, const std::vector<Chunk> &chunks);

}  // namespace crgb::npy::detail

#endif  // CRGB_CLI_FILE_IO_H
