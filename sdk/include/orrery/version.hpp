// Orrery SDK version and ABI number.
//
// Contract: a plugin records the ABI number it was compiled against (through
// ORRERY_DEFINE_PLUGIN). The kernel refuses to call any factory of a plugin
// whose ABI number differs from its own, naming both numbers and the file.
// The ABI number changes whenever an interface in this SDK changes layout
// (a virtual added, removed or reordered; a value type's members changed).
#pragma once

#define ORRERY_SDK_VERSION_MAJOR 0
#define ORRERY_SDK_VERSION_MINOR 1
#define ORRERY_SDK_VERSION_PATCH 0
#define ORRERY_SDK_VERSION_STRING "0.1.0"

#ifndef ORRERY_ABI_VERSION
/// The binary-interface number of this SDK. Overridable only so tests can
/// build a deliberately mismatched plugin.
#define ORRERY_ABI_VERSION 3
#endif

/// Marks SDK types whose type information must be shared between the kernel
/// and plugins (exceptions, interfaces), even when a plugin is compiled with
/// -fvisibility=hidden.
#if defined(__GNUC__)
#define ORRERY_API __attribute__((visibility("default")))
#else
#define ORRERY_API
#endif

namespace orrery {
/// The ABI number the including code is compiled against.
inline constexpr int kAbiVersion = ORRERY_ABI_VERSION;
inline constexpr const char* kSdkVersion = ORRERY_SDK_VERSION_STRING;
}  // namespace orrery
