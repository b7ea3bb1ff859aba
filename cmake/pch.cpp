// The translation unit that builds the shared precompiled header (see DojoCompile.cmake).
