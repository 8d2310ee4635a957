// The `troupe` command: run, node, ctl, validate, kinds, trace, trace export, train-detector,
// export-onnx; `bench ...` and the systems' own commands (fit-*, train-forecaster) come
// from their register functions (actors/systems.hpp).
#include <unistd.h>

#include <climits>
#include <fstream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "actors/systems.hpp"
#include "actors/common/cli/training_command.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/kind_registry.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/text_table.hpp"
#include "actors/runtime/deploy/control.hpp"
#include "actors/runtime/deploy/deployment.hpp"
#include "actors/runtime/deploy/replay.hpp"
#include "actors/runtime/observe/dashboard.hpp"
#include "actors/runtime/emulation/device_profile.hpp"
#include "actors/runtime/deploy/topology.hpp"
#include "actors/runtime/trace/trace_export.hpp"
#include "actors/runtime/trace/trace_format.hpp"
#include "actors/runtime/trace/trace_reader.hpp"
#include "cli/trace_tail.hpp"
#include "learning/plugin_host.hpp"
#include "vision/image_memory.hpp"
#include "vision/library_logs.hpp"

using namespace troupe;

namespace {

// `--param key=value` pairs: a malformed one is a usage error (exit 2).
void check_param_pairs(const std::vector<std::string>& pairs) {
  try {
    control::params_yaml(pairs);
  } catch (const std::invalid_argument& e) {
    throw CLI::ValidationError(e.what());
  }
}

constexpr int usage_error = 2;  // as docs/cli.md promises; CLI11's own codes are not

std::string self_exe() {
  char buf[PATH_MAX];
  auto n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "troupe";
}

// Logs every problem as file:line:column: message; nullopt when invalid.
std::optional<topology> load_or_report(const std::string& file) {
  auto result = load_topology(file, builtin_kinds());
  for (auto& e : result.errors)
    log::problem(e.to_string());
  if (!result.errors.empty())
    log::problem(file + ": " + std::to_string(result.errors.size()) + " problem(s), nothing started");
  return result.topo;
}

int export_trace(const std::string& in_file, const std::string& out_file, bool otlp) {
  std::ifstream in(in_file, std::ios::binary);
  if (!in) {
    spdlog::error("{}: cannot read the file", in_file);
    return 1;
  }
  export_summary summary;
  auto json = otlp ? export_otlp_trace(in, summary) : export_chrome_trace(in, summary);
  if (!summary.unreadable_file.empty()) {
    spdlog::error("{}: cannot be read: {}; nothing written", in_file, summary.unreadable_file);
    return 1;
  }
  if (auto why = write_text_file(out_file, json.dump()); !why.empty()) {
    spdlog::error("{}", why);
    return 1;
  }
  log::result(out_file + ": " + std::to_string(summary.messages) + " messages, " + std::to_string(summary.batches) +
              " batches of work, " + std::to_string(summary.flows) + " causal links from " + std::to_string(summary.lines) + " events (" + std::to_string(summary.skipped) +
              " unreadable, skipped)");
  return 0;
}

// `trace cat`: a trace in either format as JSON lines on stdout (jq reads them).
int cat_trace(const std::string& in_file) {
  std::ifstream in(in_file, std::ios::binary);
  if (!in) {
    spdlog::error("{}: cannot read the file", in_file);
    return 1;
  }
  size_t events = 0, unreadable = 0;
  auto why = read_trace(in, [&](const nlohmann::json& e) {
    if (e.is_discarded())
      ++unreadable;
    else
      std::printf("%s\n", e.dump().c_str());
    ++events;
  });
  std::fflush(stdout);
  if (!why.empty()) {
    spdlog::error("{}: cannot be read: {}", in_file, why);
    return 1;
  }
  if (unreadable > 0)
    spdlog::warn("{}: {} of {} lines or records could not be read and were left out", in_file, unreadable, events);
  return 0;
}

void print_kinds() {
  const auto& kinds = builtin_kinds();
  std::string out;
  for (auto& name : kinds.names()) {
    auto* k = kinds.find(name);
    out += name + ": " + k->summary + "\n";
    text_table params({"", "", ""});
    for (auto& p : k->parameters) {
      auto range = range_of(p);
      params.add({"  " + p.key, to_string(p.type) + (range.empty() ? "" : " " + range),
                  (p.required ? "required; " : "") + p.help});
    }
    auto table = params.str();
    out += table.substr(table.find('\n') + 1);  // no header row
  }
  log::result(out);
}

// A device profile file holds `devices:` and no `nodes:`.
bool is_device_profile(const std::string& file) {
  try {
    auto root = YAML::LoadFile(file);
    return root.IsMap() && root["devices"] && !root["nodes"];
  } catch (const std::exception&) {
    return false;  // the topology loader says what is wrong with it
  }
}

// Checks each file, topology or device profile, and says so for each; 1 if any is bad.
int validate(const std::vector<std::string>& files) {
  int status = 0;
  for (auto& file : files) {
    if (is_device_profile(file)) {
      auto result = load_device_profiles(file);
      for (auto& e : result.errors)
        log::problem(e.to_string());
      if (result.profiles)
        log::result(file + ": valid device profiles (" + std::to_string(result.profiles->devices.size()) +
                    " devices)");
      status |= result.profiles ? 0 : 1;
      continue;
    }
    auto topo = load_or_report(file);
    if (topo)
      log::result(file + ": valid (" + std::to_string(topo->nodes.size()) + " nodes, " +
                  std::to_string(topo->actors.size()) + " actors, " + std::to_string(topo->links.size()) + " links, " +
                  std::to_string(topo->timeline.size()) + " timeline events)");
    status |= topo ? 0 : 1;
  }
  return status;
}

int train(const learning::training_options& o) {
  std::string sizes;
  for (auto& size : o.sizes) {
    require_writable(learning::output_for(o, size));
    sizes += (sizes.empty() ? "" : " ") + size;
  }
  spdlog::info("training detector {}{} ({} steps of {} frames, input {}) -> {}", sizes,
               o.sizes.size() > 1 ? " side by side" : "", o.steps, o.batch, o.input, o.output);
  auto results = train_with_progress("train-detector " + sizes, "",
                                     [&](auto progress) { return plugin_train_detectors(o, progress); });
  for (auto& r : results) {
    log::result(fmt::format("wrote {}: {} parameters, loss {:.3f} -> {:.3f}, held-out synthetic scenes: mAP@0.5 {:.3f}, "
                            "F1 {:.3f}", r.output, r.parameters, r.first_loss, r.final_loss, r.map50, r.f1));
    auto& t = r.per_step;
    spdlog::info("{} per step: scenes {:.0f} ms (its share), forward {:.0f} ms, loss {:.0f} ms, backward {:.0f} ms, "
                 "optimiser {:.0f} ms", r.size, t.scenes_ms, t.forward_ms, t.loss_ms, t.backward_ms, t.optimiser_ms);
  }
  spdlog::info("trained in {:.0f} s", results.empty() ? 0.0 : results.front().seconds);
  return 0;
}

// The deployment's commands: run, node, validate, kinds.
void add_deployment_commands(CLI::App& troupe, std::function<int()>& chosen) {
  struct choices {
    std::string file, node, output;
    run_options run;
    node_run_options one;
    std::vector<std::string> files;
  };
  auto c = std::make_shared<choices>();
  auto* run = troupe.add_subcommand("run", "run every node of a topology");
  run->add_option("topology", c->file, "topology YAML file")->required();
  run->add_option("--nats", c->run.nats_url, "NATS url (default: the topology's, or an embedded server)");
  run->add_option("--duration", c->run.duration_s, "seconds to run (default: runtime.duration_s)");
  run->add_flag("--processes", c->run.processes, "one child process per node");
  run->add_option("--credentials", c->run.credentials_dir,
                  "folder from `troupe credentials`: each node's identity on a server of your own");
  run->add_option("--record", c->run.record_dir,
                  "keep every actor's inputs (and the topology) in DIR for `troupe replay` (default: runtime.record_dir)");
  run->add_option("--metrics-port", c->run.metrics_port,
                  "serve Prometheus metrics on this port (0: none; default: runtime.metrics_port; "
                  "--processes: node i on PORT+1+i)")
      ->check(CLI::Range(0, 65535));
  run->callback([&chosen, c] {
    chosen = [c] {
      auto topo = load_or_report(c->file);
      if (!topo)
        return 1;
      c->run.self_exe = self_exe();
      return run_deployment(*topo, c->run, builtin_kinds());
    };
  });

  auto* node = troupe.add_subcommand("node", "run one node of a topology");
  node->add_option("topology", c->file, "topology YAML file")->required();
  node->add_option("--node", c->node, "which node")->required();
  node->add_option("--nats", c->one.nats_url, "NATS url")->required();
  node->add_option("--duration", c->one.duration_s, "seconds to run (default: until stopped)");
  node->add_option("--epoch-ns", c->one.epoch_unix_ns,
                   "deployment start in unix ns, shared by its nodes' emulated clocks (default: now)");
  node->add_option("--credentials", c->one.credentials_file, "the node's identity file from `troupe credentials`");
  node->add_option("--record", c->one.record_dir, "keep the node's actors' inputs in DIR (default: runtime.record_dir)");
  node->add_option("--metrics-port", c->one.metrics_port,
                   "serve Prometheus metrics on this port (0: none; default: runtime.metrics_port + 1 + the "
                   "node's index, none when that is 0)")
      ->check(CLI::Range(0, 65535));
  node->callback([&chosen, c] {
    chosen = [c] {
      auto topo = load_or_report(c->file);
      if (!topo)
        return 1;
      if (!topo->find_node(c->node)) {
        spdlog::error("{}: no node '{}'", c->file, c->node);
        return 1;
      }
      return run_node(*topo, c->node, c->one, builtin_kinds());
    };
  });

  auto replaying = std::make_shared<replay_options>();
  auto* replay = troupe.add_subcommand("replay", "re-feed actors the inputs they had in a run recorded with "
                                                 "`troupe run --record DIR`, and compare what they send");
  replay->add_option("dir", replaying->dir, "the recording's folder")->required();
  replay->add_option("--only", replaying->only, "actor names or kinds to replay")->required();
  replay->add_flag("--max-speed", replaying->max_speed, "no waiting between inputs (default: their recorded times)");
  replay->add_option("--settle", replaying->settle_s, "seconds outputs may still come after the last input (default 2)")
      ->check(CLI::Range(0.0, 3600.0));
  replay->add_option("--param", replaying->params,
                     "key=value set on each replayed actor, the value read as YAML (repeatable; files it names go "
                     "to DIR/replay/)");
  replay->callback([&chosen, replaying] {
    check_param_pairs(replaying->params);
    chosen = [replaying] { return replay_recorded(*replaying, builtin_kinds()); };
  });

  auto* creds = troupe.add_subcommand("credentials", "write a deployment's identities for a server of your own: "
                                                      "nats-server.conf and one 0600 file per node");
  creds->add_option("topology", c->file, "topology YAML file")->required();
  creds->add_option("-o,--output", c->output, "folder to write (made 0700)")->required();
  creds->callback([&chosen, c] {
    chosen = [c] {
      auto topo = load_or_report(c->file);
      if (!topo)
        return 1;
      for (auto& f : write_credentials(make_credentials(*topo, builtin_kinds()), c->output))
        log::result("wrote " + f);
      return 0;
    };
  });

  auto* validate_cmd = troupe.add_subcommand("validate", "check topologies (or device profiles) without starting anything");
  validate_cmd->add_option("files", c->files, "topology or device profile YAML files")->required();
  validate_cmd->callback([&chosen, c] { chosen = [c] { return validate(c->files); }; });

  auto* kinds = troupe.add_subcommand("kinds", "list the actor kinds a topology can name, with their parameters");
  kinds->callback([&chosen] {
    chosen = [] {
      print_kinds();
      return 0;
    };
  });
}

// `ctl TOPOLOGY --nats URL list | spawn KIND NAME --node N [--param k=v] | stop NAME |
// kill-node N`: a running deployment steered as the operator (docs/cli.md).
void add_control_commands(CLI::App& troupe, std::function<int()>& chosen) {
  struct choices {
    std::string file;
    control::options options;
    control::spawn spawn;
    control::stop stop;
    control::kill_node kill;
  };
  auto c = std::make_shared<choices>();
  auto* ctl = troupe.add_subcommand("ctl", "steer a running deployment: list, spawn, stop, kill-node");
  ctl->require_subcommand(1);
  ctl->add_option("topology", c->file, "the deployment's topology YAML file")->required();
  ctl->add_option("--nats", c->options.nats_url, "NATS url of the running deployment")->required();
  ctl->add_option("--credentials", c->options.credentials,
                  "the operator's identity file (troupe-ctl.creds; `troupe run` prints where)");
  ctl->add_option("--listen", c->options.listen_s, "seconds to hear the nodes before acting (default 2)")
      ->check(CLI::Range(0.0, 60.0));
  auto* list = ctl->add_subcommand("list", "the nodes, up or down, and the actors on each");
  auto* spawn = ctl->add_subcommand("spawn", "spawn an actor of KIND named NAME on a node");
  spawn->add_option("kind", c->spawn.kind, "actor kind (troupe kinds)")->required();
  spawn->add_option("name", c->spawn.name, "the new actor's name")->required();
  spawn->add_option("--node", c->spawn.node, "the node to spawn on")->required();
  spawn->add_option("--param", c->spawn.params, "key=value, the value read as YAML (repeatable)");
  auto* stop = ctl->add_subcommand("stop", "stop an actor, wherever it runs");
  stop->add_option("name", c->stop.name, "the actor")->required();
  auto* kill = ctl->add_subcommand("kill-node", "kill a node, as kill -9 would: the others declare it down");
  kill->add_option("node", c->kill.node, "the node")->required();
  ctl->callback([&chosen, c, list, spawn, stop] {
    control::command what = c->kill;
    if (*list)
      what = control::list{};
    else if (*spawn) {
      check_param_pairs(c->spawn.params);
      what = c->spawn;
    }
    else if (*stop)
      what = c->stop;
    chosen = [c, what] {
      auto topo = load_or_report(c->file);
      if (!topo)
        return 1;
      return control::run(*topo, c->options, what, builtin_kinds());
    };
  });
}

// `trace` (the live tail) and `trace export`; `dashboard`.
void add_trace_commands(CLI::App& troupe, std::function<int()>& chosen) {
  auto board = std::make_shared<std::pair<std::string, dashboard_options>>();
  auto* dash = troupe.add_subcommand("dashboard", "a web page of a running deployment: nodes, actors, flows, decisions");
  dash->add_option("topology", board->first, "topology YAML file")->required();
  dash->add_option("--nats", board->second.nats_url, "NATS url")->required();
  dash->add_option("--credentials", board->second.credentials, "the read-only monitor's identity (troupe-monitor.creds)");
  dash->add_option("--port", board->second.port, "port of the page (default 9470; 0: any)")->check(CLI::Range(0, 65535));
  dash->add_option("--address", board->second.address, "address of the page (default 127.0.0.1)");
  dash->add_option("--duration", board->second.duration_s, "stop after this many seconds (default: until interrupted)");
  dash->callback([&chosen, board] {
    chosen = [board] {
      auto topo = load_or_report(board->first);
      return topo ? run_dashboard(*topo, board->second) : 1;
    };
  });

  auto tail = std::make_shared<tail_options>();
  auto* trace = troupe.add_subcommand("trace", "live tail of the envelopes on the bus");
  trace->add_option("--nats", tail->nats_url, "NATS url");
  trace->add_option("--deployment", tail->deployment, "only this deployment");
  trace->add_option("--actor", tail->actor, "only envelopes from or to this actor");
  trace->add_option("--type", tail->type, "only types containing this text");
  auto named_for_a_format = [](const std::string& f) {
    return trace_format_of(f) ? std::string() : "a trace file ends in .trace (binary) or .jsonl (JSON lines): " + f;
  };
  trace->add_option("--record", tail->record_file, "also record to this file (.trace: binary, .jsonl: JSON lines)")
      ->check(named_for_a_format);
  trace->add_option("--duration", tail->duration_s, "stop after this many seconds");
  trace->add_option("--count", tail->max_count, "stop after this many envelopes");
  trace->add_option("--credentials", tail->credentials, "the deployment's monitor identity (troupe-monitor.creds)");
  struct export_choice {
    std::string input, output = "trace.json", format = "chrome";
  };
  auto files = std::make_shared<export_choice>();
  auto* export_cmd = trace->add_subcommand("export", "recorded trace → Chrome trace event JSON (Perfetto) or OTLP/JSON");
  export_cmd->add_option("input", files->input, "recorded trace (.trace or .jsonl)")->required();
  export_cmd->add_option("-o,--output", files->output, "output JSON (default trace.json)");
  export_cmd->add_option("--format", files->format, "chrome (default: Perfetto, chrome://tracing) or otlp (Jaeger-style tools)")
      ->check(CLI::IsMember({"chrome", "otlp"}));
  auto* cat_cmd = trace->add_subcommand("cat", "recorded trace (.trace or .jsonl) → JSON lines on stdout");
  cat_cmd->add_option("input", files->input, "recorded trace")->required();
  trace->callback([&chosen, tail, files, export_cmd, cat_cmd] {
    if (*export_cmd) {
      chosen = [files] { return export_trace(files->input, files->output, files->format == "otlp"); };
      return;
    }
    if (*cat_cmd) {
      chosen = [files] { return cat_trace(files->input); };
      return;
    }
    chosen = [tail] {
      if (tail->nats_url.empty()) {
        spdlog::error("troupe trace: --nats URL is required for the live tail");
        return usage_error;
      }
      return tail_trace(*tail);
    };
  });
}

// `export-X MODEL -o FILE`: a trained detector written by `write`.
void add_export(CLI::App& troupe, std::function<int()>& chosen, const std::string& name, const std::string& what,
                const std::string& output, void (*write)(const std::string&, const std::string&)) {
  auto files = std::make_shared<std::pair<std::string, std::string>>();
  auto* cmd = troupe.add_subcommand(name, what);
  cmd->add_option("model", files->first, "TorchScript file from train-detector")->required();
  cmd->add_option("-o,--output", files->second, output)->required();
  cmd->callback([&chosen, files, write] {
    chosen = [files, write] {
      require_writable(files->second);
      write(files->first, files->second);
      log::result("wrote " + files->second + " (from " + files->first + ")");
      return 0;
    };
  });
}

// The project's detector: train-detector, export-onnx, export-plan.
void add_detector_commands(CLI::App& troupe, std::function<int()>& chosen) {
  auto training = std::make_shared<learning::training_options>();
  auto* train_cmd = troupe.add_subcommand("train-detector", "train the project's own detector on synthetic scenes, save TorchScript");
  train_cmd->add_option("-o,--output", training->output,
                        "TorchScript file to write; {size} stands for the size (e.g. build/models/detector-{size}.pt)")
      ->required();
  train_cmd->add_option("--size", training->sizes, "network sizes, n s m, trained side by side (default s)")
      ->check(CLI::IsMember({"n", "s", "m"}));
  train_cmd->add_option("--steps", training->steps, "optimiser steps (default 400)");
  train_cmd->add_option("--batch", training->batch, "frames per step (default 16)");
  train_cmd->add_option("--input", training->input, "square input in pixels, multiple of 8 (default 320)");
  train_cmd->add_option("--learning-rate", training->learning_rate, "Adam learning rate (default 0.004)");
  train_cmd->add_option("--seed", training->seed, "network init and training scenes (default 1)");
  train_cmd->add_option("--eval-frames", training->eval_frames, "held-out frames scored at the end (default 100)");
  train_cmd->add_option("--threads", training->threads, "threads rendering scenes and training sizes at once (default: every core)");
  train_cmd->add_option("--classes", training->classes, "classes in the scenes and the network, of person car bike (default person)")
      ->check(CLI::IsMember({"person", "car", "bike"}));
  train_cmd->callback([&chosen, training] { chosen = [training] { return train(*training); }; });

  add_export(troupe, chosen, "export-onnx", "write a trained detector (TorchScript) as ONNX for OpenCV DNN",
             "ONNX file to write", plugin_export_onnx);
  add_export(troupe, chosen, "export-plan",
             "write a trained detector (TorchScript) as the CUDA runner's plan (scripts/gpu-fixtures.sh)",
             "plan file to write", plugin_export_plan);
}

// FFmpeg's and OpenCV's own messages go through the one log.
void route_library_logs() {
  vision::route_library_logs([](vision::library_severity s, const std::string& line) {
    auto level = s == vision::library_severity::error     ? spdlog::level::err
                 : s == vision::library_severity::warning ? spdlog::level::warn
                                                          : spdlog::level::info;
    spdlog::log(level, "{}", line);
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Troupe: collaborative edge video analytics on actors over NATS"};
  app.require_subcommand(1);
  app.fallthrough();  // --quiet and --log-format also after the subcommand
  app.set_version_flag("--version", std::string("troupe ") + TROUPE_VERSION);
  std::string log_format = "text";
  bool quiet = false;
  app.add_option("--log-format", log_format, "text (default) or json: one record per line")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--quiet", quiet, "only warnings, errors and results");

  std::function<int()> chosen;  // what the command the user chose will do, set while parsing
  add_deployment_commands(app, chosen);
  add_control_commands(app, chosen);
  add_trace_commands(app, chosen);
  add_detector_commands(app, chosen);
  auto* bench = app.add_subcommand("bench", "compare a research system with its baselines");
  bench->require_subcommand(1);
  command_hooks hooks{app, *bench, {}};
  add_system_commands(hooks);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : usage_error;  // --help and --version exit 0
  }
  log::setup({*log::parse_format(log_format), quiet});
  route_library_logs();
  vision::use_pooled_image_memory();  // before any thread makes an image: the default allocator is a plain store
  register_plugin_models();  // detector replicas may serve *.pt files (libtorch loads then)
  int status = 1;
  try {
    status = chosen ? chosen() : hooks.run();
  } catch (const std::exception& e) {
    spdlog::error("troupe: {}", e.what());
  }
  log::flush();
  return status;
}
