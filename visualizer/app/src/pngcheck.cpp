// dojo-viz-pngcheck: checks rendered screenshots.
//
//   dojo-viz-pngcheck A.png [B.png ...]
//
// Each image must load, be at least 200x150, and not be blank: at least 1% of its pixels must
// differ from its most common colour, and it must have at least 8 distinct colours. Images
// given one after another that share a prefix up to the last '_' (one scenario at several
// points: name_025.png, name_050.png, ...) must differ from each other in at least 0.05% of
// their pixels. Prints one line per problem; exit 0 when all pass, 1 otherwise, 2 on bad usage.
#include <stb_image.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace {

struct Image {
  int w = 0, h = 0;
  std::vector<unsigned char> px;  // RGB
};

bool load(const std::string& path, Image& img) {
  int n = 0;
  unsigned char* data = stbi_load(path.c_str(), &img.w, &img.h, &n, 3);
  if (data == nullptr) return false;
  img.px.assign(data, data + static_cast<std::size_t>(img.w) * static_cast<std::size_t>(img.h) * 3);
  stbi_image_free(data);
  return true;
}

std::string group_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const auto us = path.find_last_of('_');
  if (us == std::string::npos || (slash != std::string::npos && us < slash)) return path;
  return path.substr(0, us);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: dojo-viz-pngcheck A.png [B.png ...]\n");
    return 2;
  }
  int bad = 0;
  std::string prev_group;
  Image prev;
  std::string prev_path;
  for (int i = 1; i < argc; ++i) {
    const std::string path = argv[i];
    Image img;
    if (!load(path, img)) {
      std::printf("%s: cannot read as an image: %s\n", path.c_str(), stbi_failure_reason());
      ++bad;
      continue;
    }
    const std::size_t n = static_cast<std::size_t>(img.w) * static_cast<std::size_t>(img.h);
    if (img.w < 200 || img.h < 150) {
      std::printf("%s: too small (%dx%d)\n", path.c_str(), img.w, img.h);
      ++bad;
    }
    std::map<std::uint32_t, std::size_t> colours;
    for (std::size_t p = 0; p < n; ++p) {
      const std::uint32_t c = img.px[p * 3] | img.px[p * 3 + 1] << 8 | img.px[p * 3 + 2] << 16;
      ++colours[c];
    }
    std::size_t most = 0;
    for (const auto& [c, k] : colours) most = std::max(most, k);
    if (colours.size() < 8 || n - most < n / 100) {
      std::printf("%s: blank (%zu colours, %.2f%% of pixels differ from the background)\n", path.c_str(), colours.size(),
                  100.0 * static_cast<double>(n - most) / static_cast<double>(n));
      ++bad;
    }
    const std::string g = group_of(path);
    if (g == prev_group && prev.w == img.w && prev.h == img.h) {
      std::size_t diff = 0;
      for (std::size_t p = 0; p < n * 3; p += 3)
        if (img.px[p] != prev.px[p] || img.px[p + 1] != prev.px[p + 1] || img.px[p + 2] != prev.px[p + 2]) ++diff;
      if (diff < n / 2000) {
        std::printf("%s: the same picture as %s (%zu pixels differ)\n", path.c_str(), prev_path.c_str(), diff);
        ++bad;
      }
    }
    prev_group = g;
    prev = std::move(img);
    prev_path = path;
  }
  if (bad == 0) std::printf("%d image(s) ok\n", argc - 1);
  return bad == 0 ? 0 : 1;
}
