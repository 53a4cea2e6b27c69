# orrery_add_plugin(<library> SOURCES <files...> [LINK <targets...>] [OUTPUT_DIRECTORY <dir>] [NO_INSTALL])
#
# Builds the plugin library <library> as a loadable module named
# orrery-<library>.so, the file name the kernel looks for. Symbols are hidden
# except the two the SDK's ORRERY_DEFINE_PLUGIN exports, so plugins never
# clash with each other. NO_INSTALL skips the install rule (test fixtures). Point ORRERY_PLUGIN_PATH (or [plugins] paths in a
# config) at the output directory to use it.
include(GNUInstallDirs)

function(orrery_add_plugin library)
  cmake_parse_arguments(ARG "NO_INSTALL" "OUTPUT_DIRECTORY" "SOURCES;LINK" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "orrery_add_plugin(${library}): SOURCES is required")
  endif()
  set(target orrery_plugin_${library})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE Orrery::sdk ${ARG_LINK})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "orrery-${library}"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  endif()
  if(ARG_NO_INSTALL)
    return()
  endif()
  # `cmake --install` puts it where the kernel looks: <prefix>/lib/orrery/plugins.
  install(TARGETS ${target} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/orrery/plugins COMPONENT runtime)
  if(TARGET orrery_runtime)
    add_dependencies(orrery_runtime ${target})
  endif()
endfunction()
