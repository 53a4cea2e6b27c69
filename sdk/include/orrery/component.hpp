// Component: the base of every object a plugin creates.
//
// Lifecycle, driven by the kernel for each component in dependency order:
//  1. construction, `T(Context&)`: read and check options, resolve references,
//     load small inputs. Must be cheap and must not simulate, train or sample:
//     `orrery validate` constructs every component to check a config. Throw
//     ConfigError (via Options::error) for bad input.
//  2. `prepare(Context&)`: one-time expensive work (simulation campaigns,
//     training), normally stored through the artifact cache. Called once,
//     after everything this component references has been prepared, and
//     never by `orrery validate`.
//  3. use: other components call the kind-specific interface; runnable kinds
//     (Sampler, Task) are run.
//  4. destruction, before the plugin library is unloaded.
//
// The Context passed to the constructor outlives the component, so a
// component may keep a reference to it.
//
// Thread safety: const methods of every interface may be called concurrently
// from several threads (samplers evaluate densities from parallel chains);
// non-const methods are called from one thread at a time.
//
// Extensions: capabilities added after SDK v1 are separate interfaces looked
// up by name through `extension()`, so adding one never changes this class's
// layout (and never breaks compiled plugins).
#pragma once

#include <string_view>

#include "orrery/kind.hpp"
#include "orrery/version.hpp"

namespace orrery {

class Context;

class ORRERY_API Component {
 public:
  Component() = default;
  Component(const Component&) = delete;
  Component& operator=(const Component&) = delete;
  virtual ~Component() = default;

  /// The component's kind; fixed by the interface it implements.
  [[nodiscard]] virtual Kind kind() const = 0;

  /// One-time expensive work; see the lifecycle above. Default: nothing.
  virtual void prepare(Context& /*ctx*/) {}

  /// An optional capability by name, or nullptr when not supported.
  /// The returned pointer is owned by the component.
  virtual void* extension(std::string_view /*name*/) { return nullptr; }
};

}  // namespace orrery
