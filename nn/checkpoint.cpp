#include "nn/checkpoint.h"

#include <array>
#include <cmath>
#include <string_view>
#include <system_error>

#include "nn/h5.h"
#include "nn/h5_memory_file.h"
#include "nn/h5_probe.h"

namespace camlab::nn {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 5> kReservedAttributes = {"format", "version", "config",
                                                                 "epoch", "step"};
constexpr std::string_view kSchedulerPrefix = "scheduler.";

bool is_reserved(const std::string& name) {
  for (std::string_view reserved : kReservedAttributes) {
    if (name == reserved) return true;
  }
  return false;
}

// The stored dtype: model entries are float32 (int64 for counters, as PyTorch's
// num_batches_tracked); optimizer entries keep float64 (e.g. lr) too.
DType stored_dtype(const fs::path& path, std::string_view group, const std::string& key,
                   const Tensor& tensor) {
  CAMLAB_CHECK(tensor.defined(), "checkpoint '{}': {} entry '{}' is undefined", path.string(),
               group, key);
  CAMLAB_CHECK(!key.empty() && key.find('/') == std::string::npos,
               "checkpoint '{}': {} key '{}' must be non-empty and contain no '/'", path.string(),
               group, key);
  const DType dtype = tensor.dtype();
  CAMLAB_CHECK(is_floating(dtype) || dtype == DType::Int64,
               "checkpoint '{}': {} entry '{}' has dtype {}; only floating and int64 tensors are "
               "stored",
               path.string(), group, key, dtype_name(dtype));
  if (group == "model" && is_floating(dtype)) return DType::Float32;
  return dtype;
}

void write_group(hid_t file, const fs::path& path, const std::string& group_name,
                 const NamedTensors& entries) {
  h5::Handle group(h5::create_ordered_group(file, group_name), H5Gclose);
  CAMLAB_CHECK(group.ok(), "checkpoint '{}': cannot create group /{}", path.string(), group_name);
  for (const auto& [key, tensor] : entries) {
    const DType dtype = stored_dtype(path, group_name, key, tensor);
    CAMLAB_CHECK(h5::write_tensor(group.get(), key, tensor, dtype),
                 "checkpoint '{}': cannot write /{}/{} {} (disk full?)", path.string(), group_name,
                 key, shape_str(tensor.shape()));
  }
}

// The checkpoint as an HDF5 file in memory (h5_memory_file.h says why libhdf5 never writes it).
void fill_checkpoint(hid_t file, const fs::path& path, const Checkpoint& checkpoint) {
  const CheckpointInfo& info = checkpoint.info;
  bool ok = h5::write_attribute(file, "format", std::string(kCheckpointFormat)) &&
            h5::write_attribute(file, "version", kCheckpointVersion) &&
            h5::write_attribute(file, "config", info.config) &&
            h5::write_attribute(file, "epoch", info.epoch) &&
            h5::write_attribute(file, "step", info.step);
  for (const auto& [name, value] : info.extra) {
    CAMLAB_CHECK(!name.empty() && !is_reserved(name),
                 "checkpoint '{}': extra attribute '{}' clashes with a reserved name (format, "
                 "version, config, epoch, step)",
                 path.string(), name);
    ok = ok && h5::write_attribute(file, name, value);
  }
  CAMLAB_CHECK(ok, "checkpoint '{}': cannot write the root attributes", path.string());
  write_group(file, path, "model", checkpoint.model);
  write_group(file, path, "optimizer", checkpoint.optimizer);
}

// Weights from a diverged run (or bit rot) would only surface later as NaN maps and losses; say
// which entry is bad at load time instead. Optimizer moments are held to the same standard.
void check_finite(const Tensor& tensor, const fs::path& path, const std::string& group_name,
                  const std::string& key) {
  if (!is_floating(tensor.dtype())) return;
  const Tensor values = tensor.to(DType::Float64).contiguous();  // [numel]
  const double* v = values.data<double>();
  for (int64_t i = 0; i < values.numel(); ++i) {
    CAMLAB_CHECK(std::isfinite(v[i]),
                 "checkpoint '{}': /{}/{} holds {} at element {} of {}; the run that wrote it "
                 "diverged or the file is damaged — use an earlier checkpoint",
                 path.string(), group_name, key, v[i], i, shape_str(tensor.shape()));
  }
}

NamedTensors read_group(hid_t file, const fs::path& path, const std::string& group_name,
                        bool required) {
  NamedTensors out;
  if (H5Lexists(file, group_name.c_str(), H5P_DEFAULT) <= 0) {
    CAMLAB_CHECK(!required, "checkpoint '{}': no /{} group (not written by camlab?)", path.string(),
                 group_name);
    return out;
  }
  h5::Handle group(H5Gopen2(file, group_name.c_str(), H5P_DEFAULT), H5Gclose);
  const auto names = group.ok() ? h5::link_names(group.get()) : std::nullopt;
  CAMLAB_CHECK(names.has_value(), "checkpoint '{}': cannot list /{} (corrupt or truncated file?)",
               path.string(), group_name);
  for (const std::string& key : *names) {
    Tensor tensor;
    try {
      tensor = h5::read_tensor(group.get(), key);
    } catch (const Error& e) {
      fail("checkpoint '{}': /{}/{}", path.string(), group_name, e.what());
    }
    CAMLAB_CHECK(tensor.defined(),
                 "checkpoint '{}': cannot read /{}/{} (corrupt or truncated file?)", path.string(),
                 group_name, key);
    check_finite(tensor, path, group_name, key);
    out.insert(key, tensor);
  }
  return out;
}

CheckpointInfo read_info(hid_t file, const fs::path& path) {
  const auto format = h5::read_text_attribute(file, "format");
  CAMLAB_CHECK(format == std::string(kCheckpointFormat),
               "checkpoint '{}': not a camlab checkpoint (root attribute format is '{}', expected "
               "'{}')",
               path.string(), format.value_or("<missing>"), kCheckpointFormat);
  const auto version = h5::read_number_attribute(file, "version");
  CAMLAB_CHECK(version.has_value() && *version >= 1 && *version <= kCheckpointVersion,
               "checkpoint '{}': version {} is not supported (this build reads versions 1 to {})",
               path.string(), version ? fmt::format("{}", *version) : "<missing>",
               kCheckpointVersion);
  CheckpointInfo info;
  info.config = h5::read_text_attribute(file, "config").value_or("");
  const auto epoch = h5::read_number_attribute(file, "epoch");
  const auto step = h5::read_number_attribute(file, "step");
  CAMLAB_CHECK(epoch && step, "checkpoint '{}': the root attributes epoch and step are missing",
               path.string());
  info.epoch = static_cast<int64_t>(*epoch);
  info.step = static_cast<int64_t>(*step);
  for (const std::string& name : h5::attribute_names(file)) {
    if (is_reserved(name) || h5::attribute_is_text(file, name)) continue;
    if (auto value = h5::read_number_attribute(file, name)) info.extra[name] = *value;
  }
  return info;
}

}  // namespace

void save_checkpoint(const fs::path& path, const Checkpoint& checkpoint) {
  h5::QuietErrors quiet;
  h5::MemoryFile file("checkpoint", path);
  fill_checkpoint(file.get(), path, checkpoint);
  file.save();  // <path>.tmp, fsync, rename
}

Checkpoint read_checkpoint(const fs::path& path) {
  std::error_code error;
  CAMLAB_CHECK(fs::is_regular_file(path, error), "checkpoint '{}': no such file", path.string());
  h5::QuietErrors quiet;
  CAMLAB_CHECK(H5Fis_hdf5(path.c_str()) > 0,
               "checkpoint '{}': not an HDF5 file (corrupt or truncated?)", path.string());
  h5::probe_in_child("checkpoint '" + path.string() + "'", path);  // h5_probe.h
  h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  CAMLAB_CHECK(file.ok(), "checkpoint '{}': cannot open it (corrupt or truncated HDF5 file?)",
               path.string());
  Checkpoint checkpoint;
  checkpoint.info = read_info(file.get(), path);
  checkpoint.model = read_group(file.get(), path, "model", true);
  checkpoint.optimizer = read_group(file.get(), path, "optimizer", false);
  return checkpoint;
}

void save_checkpoint(const fs::path& path, const Module& model, const Optimizer* optimizer,
                     const Scheduler* scheduler, const CheckpointInfo& info) {
  Checkpoint checkpoint{.info = info, .model = model.state_dict()};
  if (optimizer != nullptr) checkpoint.optimizer = optimizer->state_dict();
  if (scheduler != nullptr) {
    for (const auto& [key, tensor] : scheduler->state_dict()) {
      checkpoint.optimizer.insert(std::string(kSchedulerPrefix) + key, tensor);
    }
  }
  save_checkpoint(path, checkpoint);
}

CheckpointInfo load_checkpoint(const fs::path& path, Module& model, Optimizer* optimizer,
                               Scheduler* scheduler, bool strict) {
  Checkpoint checkpoint = read_checkpoint(path);
  NamedTensors optimizer_state, scheduler_state;
  for (const auto& [key, tensor] : checkpoint.optimizer) {
    if (key.starts_with(kSchedulerPrefix)) {
      scheduler_state.insert(key.substr(kSchedulerPrefix.size()), tensor);
    } else {
      optimizer_state.insert(key, tensor);
    }
  }
  try {
    model.load_state_dict(checkpoint.model, strict);
    if (optimizer != nullptr) {
      CAMLAB_CHECK(!optimizer_state.empty(), "the file holds no optimizer state");
      optimizer->load_state_dict(optimizer_state);
    }
    if (scheduler != nullptr) {
      CAMLAB_CHECK(!scheduler_state.empty(), "the file holds no scheduler state");
      scheduler->load_state_dict(scheduler_state);
    }
  } catch (const Error& e) {
    fail("checkpoint '{}': {}", path.string(), e.what());
  }
  return checkpoint.info;
}

}  // namespace camlab::nn
