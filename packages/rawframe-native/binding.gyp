{
  "targets": [
    {
      "target_name": "rawframe",
      "sources": [
        "src/native/addon.cc",
        "src/native/checksum.cc",
        "src/native/errors.cc",
        "src/native/interfaces.cc",
        "src/native/netns.cc",
        "src/native/packet_socket.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-O3", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
