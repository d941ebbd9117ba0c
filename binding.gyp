{
  "targets": [
    {
      "target_name": "mtl_native",
      "sources": [
        "native/addon.cc",
        "native/tensor_table.cc",
        "native/ops.cc",
        "native/tensors.cc",
        "native/autograd.cc",
        "native/runtime.cc",
        "native/adamw.cc",
        "native/warnings.cc",
        "native/distributed.cc",
        "native/reducer.cc",
        "native/autocast.cc",
        "native/checkpoint.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node native/find-torch.cjs include)"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "_GLIBCXX_USE_CXX11_ABI=<!(node native/find-torch.cjs abi)"
      ],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=<!(node native/find-torch.cjs std)", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "libraries": [
        "-L<!(node native/find-torch.cjs libdir)",
        "-Wl,-rpath,<!(node native/find-torch.cjs libdir)",
        "-Wl,--no-as-needed",
        "-ltorch",
        "-ltorch_cpu",
        "-lc10"
      ]
    }
  ]
}
