// Plugin registration: how a shared library tells the kernel what it offers.
//
// Exactly one translation unit of a plugin library defines the plugin:
//
//   #include <orrery/plugin.hpp>
//   ORRERY_DEFINE_PLUGIN("mylib", "1.2.0") {
//     registry.add<MyLikelihood>("student_t", "Multivariate Student-t likelihood");
//     registry.add<MySampler>("slice", "Slice sampler");
//   }
//
// Each registered class T
//  * derives from exactly one SDK interface (Prior, Likelihood, Sampler, ...),
//    which fixes its kind;
//  * has `static orrery::Schema options()` declaring its options;
//  * has a constructor `T(orrery::Context&)`.
// Components are then addressed in TOML as "mylib.student_t".
//
// The macro exports two symbols through BOOST_DLL_ALIAS:
//  * `orrery_abi_version`: int() returning the ABI number compiled in. The
//    kernel calls it first and refuses the library on a mismatch, before
//    touching anything else in it;
//  * `orrery_manifest`: const PluginManifest*() describing every component,
//    with its factory.
// Build plugins with -fvisibility=hidden (orrery_add_plugin does) so that
// two plugins' internal symbols never collide.
#pragma once

#include <boost/config.hpp>
#include <boost/dll/alias.hpp>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "orrery/component.hpp"
#include "orrery/context.hpp"
#include "orrery/kind.hpp"
#include "orrery/schema.hpp"
#include "orrery/version.hpp"

namespace orrery {

using ComponentFactory = std::function<std::unique_ptr<Component>(Context&)>;

/// One component a library offers.
struct ComponentInfo {
  std::string name;         ///< "student_t" (the library name is prepended in TOML)
  Kind kind = Kind::Task;
  std::string description;  ///< one line
  Schema schema;
  ComponentFactory factory;
};

/// Everything a library offers, as returned by its `orrery_manifest` symbol.
struct PluginManifest {
  std::string library;   ///< "core"
  std::string version;   ///< the library's own version
  int abi_version = kAbiVersion;
  std::string sdk_version = kSdkVersion;
  std::vector<ComponentInfo> components;
};

/// Collects registrations inside ORRERY_DEFINE_PLUGIN.
class PluginRegistry {
 public:
  PluginRegistry(std::string library, std::string version) {
    manifest_.library = std::move(library);
    manifest_.version = std::move(version);
  }

  template <typename T>
  void add(std::string name, std::string description) {
    static_assert(std::is_base_of_v<Component, T>, "a component must derive from an Orrery interface");
    static_assert(std::is_constructible_v<T, Context&>, "a component needs a constructor T(orrery::Context&)");
    ComponentInfo info;
    info.name = std::move(name);
    info.kind = T::kKind;
    info.description = std::move(description);
    info.schema = T::options();
    info.factory = [](Context& ctx) -> std::unique_ptr<Component> { return std::make_unique<T>(ctx); };
    manifest_.components.push_back(std::move(info));
  }

  PluginManifest take() { return std::move(manifest_); }

 private:
  PluginManifest manifest_;
};

}  // namespace orrery

#define ORRERY_DEFINE_PLUGIN(LIBRARY, VERSION)                                                     \
  static void orrery_register_components(::orrery::PluginRegistry& registry);                      \
  namespace orrery_plugin_entry {                                                                  \
  int abi_version() noexcept { return ORRERY_ABI_VERSION; }                                        \
  const ::orrery::PluginManifest* manifest() {                                                     \
    static const ::orrery::PluginManifest instance = [] {                                          \
      ::orrery::PluginRegistry registry(LIBRARY, VERSION);                                         \
      orrery_register_components(registry);                                                        \
      return registry.take();                                                                      \
    }();                                                                                           \
    return &instance;                                                                              \
  }                                                                                                \
  }                                                                                                \
  BOOST_DLL_ALIAS(orrery_plugin_entry::abi_version, orrery_abi_version)                            \
  BOOST_DLL_ALIAS(orrery_plugin_entry::manifest, orrery_manifest)                                  \
  static void orrery_register_components(::orrery::PluginRegistry& registry)
