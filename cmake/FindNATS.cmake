# Debian's libnats-dev ships a cnats CMake config that names a static library it
# does not install, so find the shared library by hand.
find_path(NATS_INCLUDE_DIR nats/nats.h)
find_library(NATS_LIBRARY nats)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(NATS DEFAULT_MSG NATS_INCLUDE_DIR NATS_LIBRARY)
if(NATS_FOUND AND NOT TARGET NATS::nats)
  add_library(NATS::nats UNKNOWN IMPORTED)
  set_target_properties(NATS::nats PROPERTIES
    IMPORTED_LOCATION ${NATS_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${NATS_INCLUDE_DIR})
endif()
