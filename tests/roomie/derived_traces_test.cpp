// `troupe derive-traces` regenerates the shipped derived traces byte for byte: what the
// benches read is what the code derives (a change to either shows here), and each file
// says it was derived, not measured.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "gpu/model/kernel_trace.hpp"
#include "test_support.hpp"

using namespace troupe::testing;

namespace {

std::string contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(DerivedTraces, RegeneratedTheyEqualTheShippedOnes) {
  auto out = std::string(::testing::TempDir()) + "/derived";
  std::filesystem::remove_all(out);
  auto r = troupe_cli("derive-traces -o " + out + " --archs " + std::string(TROUPE_SOURCE_DIR) + "/gpu/arch_limits.yaml");
  ASSERT_EQ(r.status, 0) << r.output;
  auto shipped = std::string(TROUPE_SOURCE_DIR) + "/topologies/kernels/derived";
  size_t files = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(shipped)) {
    if (!e.is_regular_file())
      continue;
    ++files;
    auto rel = std::filesystem::relative(e.path(), shipped).string();
    EXPECT_EQ(contents(out + "/" + rel), contents(e.path().string())) << rel << " differs: run troupe derive-traces";
    EXPECT_EQ(troupe::gpu::read_kernel_trace(e.path().string()).source, "derived") << rel;
  }
  EXPECT_EQ(files, 42u) << "14 models x 3 archs";
  size_t made = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(out))
    made += e.is_regular_file();
  EXPECT_EQ(made, files) << r.output;
}
