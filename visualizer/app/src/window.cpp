#include "window.hpp"

#include <GL/gl.h>
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <stb_image_write.h>

#include <cfloat>
#include <cstdio>
#include <vector>

#include <fmt/format.h>

namespace dojo::viz::app {

namespace {
std::string g_glfw_error;
void on_glfw_error(int code, const char* what) { g_glfw_error = fmt::format("GLFW error {}: {}", code, what); }
}  // namespace

Window::Window(int w, int h, const char* title, bool vsync) {
  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit()) {
    error_ = g_glfw_error.empty() ? "cannot initialise GLFW (no display?)" : g_glfw_error;
    return;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  win_ = glfwCreateWindow(w, h, title, nullptr, nullptr);
  if (win_ == nullptr) {
    error_ = g_glfw_error.empty() ? "cannot open a window with OpenGL 3.3" : g_glfw_error;
    glfwTerminate();
    return;
  }
  glfwMakeContextCurrent(win_);
  glfwSwapInterval(vsync ? 1 : 0);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  ImGui::StyleColorsDark();
  ImGui_ImplGlfw_InitForOpenGL(win_, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
}

Window::~Window() {
  if (win_ == nullptr) return;
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(win_);
  glfwTerminate();
}

bool Window::should_close() const { return win_ == nullptr || glfwWindowShouldClose(win_); }

void Window::begin_frame() {
  glfwPollEvents();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  if (ignore_mouse_) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    for (bool& down : io.MouseDown) down = false;
    io.MouseWheel = 0;
  }
  ImGui::NewFrame();
}

void Window::render() {
  ImGui::Render();
  int w = 0, h = 0;
  glfwGetFramebufferSize(win_, &w, &h);
  glViewport(0, 0, w, h);
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(bg.x, bg.y, bg.z, 1);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void Window::present() { glfwSwapBuffers(win_); }

void Window::finish() { glFinish(); }

bool Window::save_png(const std::string& path) const {
  int w = 0, h = 0;
  glfwGetFramebufferSize(win_, &w, &h);
  if (w <= 0 || h <= 0) return false;
  std::vector<unsigned char> px(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, px.data());
  // OpenGL's rows go bottom-up; PNG's top-down.
  stbi_flip_vertically_on_write(1);
  return stbi_write_png(path.c_str(), w, h, 3, px.data(), w * 3) != 0;
}

}  // namespace dojo::viz::app
