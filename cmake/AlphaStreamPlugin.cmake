# alphastream_add_plugin(<target> SOURCES <files>...)
#
# Builds a model plugin as its own shared library under <build>/plugins,
# exporting only `alphastream_plugin_entry` and refusing undefined symbols,
# so what loads in tests is exactly what a user would load.
set(ALPHASTREAM_PLUGIN_EXPORTS ${CMAKE_CURRENT_LIST_DIR}/plugin_exports.map)

function(alphastream_add_plugin target)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  if(NOT ARG_OUTPUT_DIRECTORY)
    set(ARG_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/plugins)
  endif()
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE AlphaStream::sdk)
  set_target_properties(${target} PROPERTIES
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  target_link_options(${target} PRIVATE
    -Wl,--version-script=${ALPHASTREAM_PLUGIN_EXPORTS}
    $<$<NOT:$<BOOL:${ALPHASTREAM_SANITIZE}>>:-Wl,-z,defs>)
endfunction()
