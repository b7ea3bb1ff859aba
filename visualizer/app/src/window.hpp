// The GLFW window with an OpenGL 3 context and the ImGui backends; frames; PNG capture.
#pragma once

#include <string>

struct GLFWwindow;

namespace dojo::viz::app {

class Window {
 public:
  /// Opens a window of `w` x `h` pixels and sets up ImGui (context, backends, fonts). On
  /// failure ok() is false and error() says why (e.g. no display).
  Window(int w, int h, const char* title, bool vsync);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  [[nodiscard]] bool ok() const noexcept { return win_ != nullptr; }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  [[nodiscard]] bool should_close() const;
  /// Headless frames: the mouse is treated as absent (no hover tooltips in screenshots).
  void set_ignore_mouse(bool on) noexcept { ignore_mouse_ = on; }
  /// Polls events and starts an ImGui frame.
  void begin_frame();
  /// Renders the ImGui frame into the back buffer (not shown yet).
  void render();
  /// Shows the back buffer.
  void present();
  /// Waits for the GPU (frame timing).
  void finish();
  /// Writes the back buffer (after render(), before present()) to a PNG. False on failure.
  bool save_png(const std::string& path) const;

 private:
  GLFWwindow* win_ = nullptr;
  std::string error_;
  bool ignore_mouse_ = false;
};

}  // namespace dojo::viz::app
