#include "actors/runtime/errors.hpp"

#include <caf/atom.hpp>
#include <caf/message.hpp>
#include <caf/make_message.hpp>
#include <caf/sec.hpp>

namespace troupe {

namespace {
constexpr caf::atom_value category = caf::atom("troupe");
}

const char* to_string(errc e) {
  switch (e) {
    case errc::payload_too_large: return "payload too large";
    case errc::request_timeout: return "request timeout";
    case errc::no_such_actor: return "no such actor";
    case errc::name_taken: return "name taken";
    case errc::unknown_kind: return "unknown kind";
    case errc::bad_params: return "bad parameters";
    case errc::bus_failure: return "bus failure";
    case errc::remote_error: return "remote error";
    case errc::not_running: return "node not running";
    case errc::spawn_failed: return "spawn failed";
    case errc::link_dropped: return "dropped by the uplink";
    case errc::link_cut: return "cut at its deadline";
  }
  return "unknown error";
}

caf::error make_error(errc e, std::string what) {
  return caf::error(static_cast<uint8_t>(e), category, caf::make_message(std::move(what)));
}

std::string describe(const caf::error& e) {
  if (!e)
    return "no error";
  if (e.category() != category)
    return caf::to_string(e);
  std::string out = to_string(static_cast<errc>(e.code()));
  if (e.context().match_elements<std::string>())
    out += ": " + e.context().get_as<std::string>(0);
  return out;
}

bool is(const caf::error& e, errc code) {
  return e && e.category() == category && e.code() == static_cast<uint8_t>(code);
}

}  // namespace troupe
