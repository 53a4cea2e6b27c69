# Warning and optimisation flags for Orrery's own targets (not for the SDK's
# users): call orrery_strict_warnings(target) on every target we build.
include(CheckCXXSourceRuns)

set(ORRERY_ARCH_FLAGS "")
if(ORRERY_X86_64_V3 AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  # -march=native trips -Werror through g++ 12's own AVX-512 headers; x86-64-v3
  # was measured fastest and warning-free (see shared debian-deps notes).
  set(CMAKE_REQUIRED_FLAGS "-march=x86-64-v3")
  check_cxx_source_runs([=[
    int main() { return (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 0 : 1; }
  ]=] ORRERY_CPU_HAS_X86_64_V3)
  unset(CMAKE_REQUIRED_FLAGS)
  if(ORRERY_CPU_HAS_X86_64_V3)
    set(ORRERY_ARCH_FLAGS "-march=x86-64-v3")
  endif()
endif()

# g++ 12 reports false positives that -Werror would turn into build failures:
# -Wrestrict for `"literal" + std::string` at -O2 (GCC bug 105329) and
# -Warray-bounds inside its own AVX intrinsics for Eigen's fixed-size 2×2
# products. Those two diagnostics are disabled for g++ < 13 only.
set(ORRERY_WARNING_WORKAROUNDS "")
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  set(ORRERY_WARNING_WORKAROUNDS -Wno-restrict -Wno-array-bounds)
endif()

function(orrery_strict_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror ${ORRERY_WARNING_WORKAROUNDS} ${ORRERY_ARCH_FLAGS})
endfunction()
