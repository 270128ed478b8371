# `cmake --install` and `cpack -G DEB` for AlphaStream: the binary, the
# shipped plugins, the plugin SDK as a CMake package, the example configs and
# dashboards, and the systemd unit. Included by the top-level CMakeLists.txt
# after every target is defined. See packaging/README.md.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Fixed, not ${CMAKE_INSTALL_LIBDIR}: the CLI looks for plugins at
# <bin>/../lib/alphastream/plugins (engine/cli/plugins_command.cpp), and
# GNUInstallDirs makes LIBDIR lib/x86_64-linux-gnu under /usr on Debian.
set(ALPHASTREAM_INSTALL_PLUGINDIR lib/alphastream/plugins)
set(ALPHASTREAM_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/AlphaStream)
set(ALPHASTREAM_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/alphastream)
# systemd's search path for units shipped by packages (under /usr since the
# /usr merge; /lib/systemd/system is the same directory on Debian 12).
set(ALPHASTREAM_INSTALL_UNITDIR lib/systemd/system)

# Two packages: `runtime` (alphastream: the binary, plugins, configs, units)
# and `dev` (alphastream-dev: the plugin SDK). Rules name `dev`; the rest is
# runtime.
set(CMAKE_INSTALL_DEFAULT_COMPONENT_NAME runtime)

if(TARGET alphastream)
  install(TARGETS alphastream RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
# The shipped plugins: every MODULE library defined under plugins/.
get_property(plugin_dirs DIRECTORY ${PROJECT_SOURCE_DIR}/plugins PROPERTY SUBDIRECTORIES)
foreach(dir IN LISTS plugin_dirs)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "MODULE_LIBRARY")
      install(TARGETS ${target} LIBRARY DESTINATION ${ALPHASTREAM_INSTALL_PLUGINDIR})
    endif()
  endforeach()
endforeach()

# The SDK: headers plus an imported INTERFACE target AlphaStream::sdk, and
# alphastream_add_plugin() with its version script beside the config file.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/alphastream
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev
  FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
set_target_properties(alphastream_sdk PROPERTIES EXPORT_NAME sdk)
install(TARGETS alphastream_sdk EXPORT AlphaStreamTargets COMPONENT dev)
install(EXPORT AlphaStreamTargets
  NAMESPACE AlphaStream::
  DESTINATION ${ALPHASTREAM_INSTALL_CMAKEDIR} COMPONENT dev)

# The ABI a plugin built against these headers declares; exported by the
# package as ALPHASTREAM_ABI_MAJOR / ALPHASTREAM_ABI_MINOR. A change of the
# header re-runs the configuration, so the package never reports a stale ABI.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/alphastream/plugin.h)
file(STRINGS ${PROJECT_SOURCE_DIR}/include/alphastream/plugin.h abi_lines
  REGEX "^#define AS_ABI_(MAJOR|MINOR) [0-9]+$")
string(REGEX REPLACE ".*AS_ABI_MAJOR ([0-9]+).*" "\\1" ALPHASTREAM_ABI_MAJOR "${abi_lines}")
string(REGEX REPLACE ".*AS_ABI_MINOR ([0-9]+).*" "\\1" ALPHASTREAM_ABI_MINOR "${abi_lines}")
if(NOT ALPHASTREAM_ABI_MAJOR MATCHES "^[0-9]+$" OR NOT ALPHASTREAM_ABI_MINOR MATCHES "^[0-9]+$")
  message(FATAL_ERROR "include/alphastream/plugin.h: cannot read AS_ABI_MAJOR and AS_ABI_MINOR")
endif()

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/AlphaStreamConfig.cmake.in
  ${PROJECT_BINARY_DIR}/AlphaStreamConfig.cmake
  INSTALL_DESTINATION ${ALPHASTREAM_INSTALL_CMAKEDIR}
  NO_SET_AND_CHECK_MACRO NO_CHECK_REQUIRED_COMPONENTS_MACRO)
# The package version is the project's; within one major version the plugin
# ABI keeps its major (AS_ABI_MAJOR), so a plugin written for 0.1 builds and
# loads with any later 0.x. A change of AS_ABI_MAJOR takes a new package
# major. ARCH_INDEPENDENT: the SDK is headers and CMake code only.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/AlphaStreamConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion
  ARCH_INDEPENDENT)
install(FILES
  ${PROJECT_BINARY_DIR}/AlphaStreamConfig.cmake
  ${PROJECT_BINARY_DIR}/AlphaStreamConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/AlphaStreamPlugin.cmake
  ${CMAKE_CURRENT_LIST_DIR}/plugin_exports.map
  DESTINATION ${ALPHASTREAM_INSTALL_CMAKEDIR} COMPONENT dev)

# Example configs, Prometheus and Alertmanager configs and the Grafana
# dashboards, as they are in the source tree.
foreach(dir config grafana)
  if(IS_DIRECTORY ${PROJECT_SOURCE_DIR}/${dir})
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir} DESTINATION ${ALPHASTREAM_INSTALL_DATADIR})
  endif()
endforeach()
# The licence, and the Debian copyright file where Debian policy puts it.
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/alphastream)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/alphastream)

# The Debian changelog and the manual page, compressed as Debian wants them
# (gzip -9n: no name or time inside, so builds are reproducible).
foreach(doc debian/changelog alphastream.1)
  get_filename_component(name ${doc} NAME)
  set(source ${PROJECT_SOURCE_DIR}/packaging/${doc})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${source})
  execute_process(COMMAND gzip -9n -c ${source} OUTPUT_FILE ${PROJECT_BINARY_DIR}/${name}.gz COMMAND_ERROR_IS_FATAL ANY)
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/changelog.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/alphastream)
install(FILES ${PROJECT_BINARY_DIR}/changelog.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/alphastream-dev COMPONENT dev)
install(FILES ${PROJECT_BINARY_DIR}/alphastream.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The out-of-tree plugin example, to copy from.
if(IS_DIRECTORY ${PROJECT_SOURCE_DIR}/examples)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples DESTINATION ${ALPHASTREAM_INSTALL_DATADIR} COMPONENT dev)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/packaging/copyright
  DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/alphastream-dev COMPONENT dev)
# The system user the units run as (applied by the package's postinst).
install(FILES ${PROJECT_SOURCE_DIR}/packaging/sysusers.d/alphastream.conf DESTINATION lib/sysusers.d)

# The default config, where the unit reads it: /etc/alphastream under /usr
# (the package, where it is a conffile: an edited copy survives upgrades),
# <prefix>/etc/alphastream elsewhere; decided at install time, when the
# prefix is known, and never over an existing file.
install(CODE "
  if(\"\${CMAKE_INSTALL_PREFIX}\" STREQUAL \"/usr\")
    set(etc /etc/alphastream)
  else()
    set(etc \"\${CMAKE_INSTALL_PREFIX}/etc/alphastream\")
  endif()
  # file(INSTALL) puts DESTDIR before an absolute destination itself.
  if(NOT EXISTS \"\$ENV{DESTDIR}\${etc}/alphastream.yaml\")
    file(INSTALL \"${PROJECT_SOURCE_DIR}/config/alphastream.yaml\" DESTINATION \"\${etc}\")
  endif()
")

# The unit names the binary by absolute path, which is only known at install
# time: `cmake --install --prefix P` and cpack (CPACK_SET_DESTDIR below, so
# CMAKE_INSTALL_PREFIX is the package's /usr) both set it then. Written
# straight to its destination, so concurrent installs to different prefixes
# do not share a file.
# One .in makes both units, so their sandbox cannot drift apart: the single
# engine, and the template with one instance per config of a cluster role.
install(CODE "
  set(ALPHASTREAM_BIN \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/alphastream\")
  foreach(kind single template)
    if(kind STREQUAL single)
      set(UNIT alphastream)
      set(DESCRIPTION \"AlphaStream statistical-arbitrage engine (Binance USD-M aggTrades)\")
      set(CONFIG /etc/alphastream/alphastream.yaml)
      set(STATE_DIRECTORY alphastream)
      set(file alphastream.service)
    else()
      set(UNIT alphastream@INSTANCE)
      set(DESCRIPTION \"AlphaStream engine %i (/etc/alphastream/%i.yaml)\")
      set(CONFIG /etc/alphastream/%i.yaml)
      set(STATE_DIRECTORY alphastream/%i)
      set(file alphastream@.service)
    endif()
    set(unit \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${ALPHASTREAM_INSTALL_UNITDIR}/\${file}\")
    message(STATUS \"Installing: \${unit}\")
    configure_file(\"${PROJECT_SOURCE_DIR}/packaging/systemd/alphastream.service.in\" \"\${unit}\" @ONLY)
    list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${unit}\")
  endforeach()
")

# cpack -G DEB: two packages, installed under /usr: alphastream (runtime)
# and alphastream-dev (the SDK, architecture-independent).
set(CPACK_PACKAGE_NAME alphastream)
set(CPACK_PACKAGE_VENDOR "AlphaStream")
# The Maintainer field: set it to the people who answer for the package
# (cmake -DALPHASTREAM_MAINTAINER="Name <address>").
set(ALPHASTREAM_MAINTAINER "AlphaStream maintainers <maintainers@alphastream.example.org>" CACHE STRING
  "the .deb's Maintainer field")
set(CPACK_PACKAGE_CONTACT "${ALPHASTREAM_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Low-latency statistical-arbitrage engine for crypto pairs")
set(CPACK_PACKAGE_DESCRIPTION "Live service, backtest, parameter sweeps and screening for Binance
futures pairs, with the shipped model plugins, systemd units, Prometheus
metrics, alert rules and Grafana dashboards. The plugin SDK is in
alphastream-dev.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
# With CPACK_SET_DESTDIR, cpack installs with CMAKE_INSTALL_PREFIX set to
# CPACK_INSTALL_PREFIX under a DESTDIR, so install(CODE) sees /usr.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
# dpkg-shlibdeps maps every shared library the binary and the plugins need to
# the Debian package that ships it (libsimdjson14, libyaml-cpp0.7,
# libprometheus-cpp-core1.0, ...), with the versions they were built against.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # the runtime's, below
# Not a library dependency: the unit needs systemd >= 235 for
# DynamicUser= with StateDirectory=.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "systemd (>= 235), prometheus, prometheus-alertmanager")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME alphastream)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME alphastream-dev)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_DEV_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "alphastream (= ${PROJECT_VERSION}), cmake (>= 3.22)")
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_COMPONENT_DEV_DESCRIPTION "The plugin SDK of the AlphaStream engine: the versioned C plugin ABI
and C++ helpers (include/alphastream), the CMake package AlphaStream
with alphastream_add_plugin(), and an example plugin.")
# Maintainer scripts (the system user, systemd reloads; journals stay on
# removal and purge) and the default config as a conffile.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/debian/postinst ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
  ${PROJECT_SOURCE_DIR}/packaging/debian/postrm ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
