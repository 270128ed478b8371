# alphastream_add_plugin(<target> SOURCES <files>... [OUTPUT_DIRECTORY <dir>])
#
# Builds a model plugin as its own shared library under <build>/plugins,
# exporting only `alphastream_plugin_entry` and refusing undefined symbols,
# so what loads in tests is exactly what a user would load.
#
# The same file serves the source tree and the installed CMake package
# (<prefix>/lib/cmake/AlphaStream, beside plugin_exports.map): it names
# nothing outside its own directory and the target AlphaStream::sdk.

function(alphastream_add_plugin target)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  if(NOT ARG_OUTPUT_DIRECTORY)
    set(ARG_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/plugins)
  endif()
  # The function's own directory, not a variable of the includer's scope: a
  # project may call find_package() in one directory and this in another.
  set(exports ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/plugin_exports.map)
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE AlphaStream::sdk)
  set_target_properties(${target} PROPERTIES
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY}
    LINK_DEPENDS ${exports})
  target_link_options(${target} PRIVATE
    -Wl,--version-script=${exports}
    $<$<NOT:$<BOOL:${ALPHASTREAM_SANITIZE}>>:-Wl,-z,defs>)
endfunction()
