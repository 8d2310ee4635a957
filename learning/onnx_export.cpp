#include "learning/onnx_export.hpp"

#include <fstream>

#include <onnx/onnx_pb.h>
#include <torch/script.h>

#include "learning/detail/detector_module.hpp"

namespace troupe::learning {

namespace {

constexpr int opset = 13;

class graph_writer {
 public:
  explicit graph_writer(onnx::GraphProto& g) : g_(g) {}

  std::string tensor(const std::string& name, const torch::Tensor& t) {
    auto c = t.detach().contiguous().to(torch::kFloat32);
    auto* init = g_.add_initializer();
    init->set_name(name);
    init->set_data_type(onnx::TensorProto::FLOAT);
    for (auto d : c.sizes())
      init->add_dims(d);
    init->set_raw_data(std::string(static_cast<const char*>(c.data_ptr()), c.numel() * sizeof(float)));
    return name;
  }

  std::string ints(const std::string& name, const std::vector<int64_t>& values) {
    auto* init = g_.add_initializer();
    init->set_name(name);
    init->set_data_type(onnx::TensorProto::INT64);
    init->add_dims(int64_t(values.size()));
    for (auto v : values)
      init->add_int64_data(v);
    return name;
  }

  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output) {
    auto* n = g_.add_node();
    n->set_op_type(op);
    n->set_name(output);
    for (auto& i : inputs)
      n->add_input(i);
    n->add_output(output);
    return *n;
  }

  static void attr(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& values) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto v : values)
      a->add_ints(v);
  }

  static void attr_int(onnx::NodeProto& n, const std::string& name, int64_t value) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }

  static void attr(onnx::NodeProto& n, const std::string& name, float value) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(value);
  }

  std::string slice(const std::string& in, int64_t from, int64_t to) {
    auto name = in + "_" + std::to_string(from) + "_" + std::to_string(to);
    node("Slice", {in, ints(name + "_starts", {from}), ints(name + "_ends", {to}), ints(name + "_axes", {1})}, name);
    return name;
  }

 private:
  onnx::GraphProto& g_;
};

void declare(onnx::ValueInfoProto* v, const std::string& name, const std::vector<int64_t>& dims) {
  v->set_name(name);
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  for (auto d : dims)
    t->mutable_shape()->add_dim()->set_dim_value(d);
}

}  // namespace

void export_onnx(const std::string& torchscript_path, const std::string& onnx_path) {
  auto d = detail::load_detector_module(torchscript_path);
  auto& m = d.module;
  auto& strides = d.strides;
  auto& anchor = d.anchor;
  auto input = d.input;
  onnx::ModelProto model;
  model.set_ir_version(onnx::IR_VERSION);
  model.set_producer_name("troupe");
  model.add_opset_import()->set_version(opset);
  auto& g = *model.mutable_graph();
  g.set_name("troupe_detector");
  graph_writer w(g);
  int64_t stride = 1;
  std::string x = "images";
  for (size_t i = 0; i < strides.size(); ++i) {
    auto conv = "conv" + std::to_string(i);
    auto& n = w.node("Conv", {x, w.tensor("w" + std::to_string(i), detail::parameter_of(m, "w" + std::to_string(i))),
                              w.tensor("b" + std::to_string(i), detail::parameter_of(m, "b" + std::to_string(i)))}, conv);
    graph_writer::attr(n, "kernel_shape", {3, 3});
    graph_writer::attr(n, "strides", {strides[i], strides[i]});
    graph_writer::attr(n, "pads", {1, 1, 1, 1});
    x = "act" + std::to_string(i);
    graph_writer::attr(w.node("LeakyRelu", {conv}, x), "alpha", 0.1f);  // max(x, 0.1x)
    stride *= strides[i];
  }
  auto head = w.tensor("wh", detail::parameter_of(m, "wh"));
  graph_writer::attr(w.node("Conv", {x, head, w.tensor("bh", detail::parameter_of(m, "bh"))}, "raw"), "kernel_shape", {1, 1});
  int64_t grid = input / stride, columns = detail::parameter_of(m, "wh").size(0);
  // The decoding of forward(): centres from cell offsets, sizes from the anchor.
  auto cells = torch::stack(torch::meshgrid({torch::arange(grid), torch::arange(grid)}, "xy")).to(torch::kFloat32);
  w.node("Sigmoid", {w.slice("raw", 0, 2)}, "xy_sig");
  w.node("Add", {"xy_sig", w.tensor("cells", cells.unsqueeze(0))}, "xy_cells");
  w.node("Mul", {"xy_cells", w.tensor("stride", torch::full({1}, float(stride)))}, "xy");
  // clamp(x, -4, 4) as -4 + relu(x + 4) - relu(x - 4): OpenCV 4.6 reads only the opset-6 Clip.
  auto wh_raw = w.slice("raw", 2, 4);
  w.node("Add", {wh_raw, w.tensor("plus4", torch::full({1}, 4.f))}, "wh_plus4");
  w.node("Relu", {"wh_plus4"}, "wh_low");
  w.node("Add", {wh_raw, w.tensor("minus4", torch::full({1}, -4.f))}, "wh_minus4");
  w.node("Relu", {"wh_minus4"}, "wh_high");
  w.node("Sub", {"wh_low", "wh_high"}, "wh_band");
  w.node("Add", {"wh_band", "minus4"}, "wh_clipped");
  w.node("Exp", {"wh_clipped"}, "wh_exp");
  w.node("Mul", {"wh_exp", w.tensor("anchor", torch::tensor({float(anchor[0]), float(anchor[1])}).view({1, 2, 1, 1}))},
         "wh_px");
  w.node("Sigmoid", {w.slice("raw", 4, columns)}, "scores");
  graph_writer::attr_int(w.node("Concat", {"xy", "wh_px", "scores"}, "decoded"), "axis", 1);
  w.node("Reshape", {"decoded", w.ints("rows_shape", {1, columns, grid * grid})}, "channels_rows");
  graph_writer::attr(w.node("Transpose", {"channels_rows"}, "detections"), "perm", {0, 2, 1});
  declare(g.add_input(), "images", {1, 3, input, input});
  declare(g.add_output(), "detections", {1, grid * grid, columns});
  std::ofstream out(onnx_path, std::ios::binary);
  if (!out || !model.SerializeToOstream(&out))
    throw std::runtime_error(onnx_path + ": cannot write the file");
}

}  // namespace troupe::learning
