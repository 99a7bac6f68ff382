// Asynchronous host-to-device copies (tensor/cuda/upload.h).
//
// Ordering across the two streams, with camlab's stream S (the legacy default stream) and the
// copy stream C (created non-blocking, so it does not synchronize implicitly with S):
//   1. The device buffer comes from the caching allocator, which may hand out a block that kernels
//      still queued on S read (their tensor was freed on the host, the work is still pending).
//      C therefore waits on an event recorded on S at allocation time before it writes.
//   2. wait() blocks the host on the copy's completion event, so every kernel queued on S after
//      wait() runs after the copy; no cross-stream event is needed on that side.
//   3. The host tensor is held until the copy is done (see pinned.cu on why its block may then be
//      reused at once).
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include <mutex>
#include <utility>
#include <vector>

#include "tensor/cuda/pinned.h"
#include "tensor/cuda/upload.h"

namespace camlab::cuda {
namespace {

// One copy stream per device, created on first use and never destroyed (streams may be used by
// Uploads that outlive static destruction).
cudaStream_t copy_stream(Device device) {
  static std::mutex mutex;
  static std::vector<cudaStream_t> streams;
  std::lock_guard<std::mutex> lock(mutex);
  const auto index = static_cast<size_t>(device.index);
  if (streams.size() <= index) streams.resize(index + 1, nullptr);
  if (streams[index] == nullptr) {
    CAMLAB_CUDA_CHECK(cudaStreamCreateWithFlags(&streams[index], cudaStreamNonBlocking));
  }
  return streams[index];
}

cudaEvent_t new_event() {
  cudaEvent_t event = nullptr;
  CAMLAB_CUDA_CHECK(cudaEventCreateWithFlags(&event, cudaEventDisableTiming));
  return event;
}

}  // namespace

struct Upload::State {
  Tensor host;                    // kept alive until the copy is done
  Tensor device;                  // the destination
  Device target;                  // its device
  cudaStream_t stream = nullptr;  // the copy stream, once something may be queued on it
  cudaEvent_t copied = nullptr;   // recorded on `stream` after the copy; null: synchronous
  bool recorded = false;          // `copied` was recorded (else an error struck before)

  // Waits for what this upload queued, whatever happened, before the buffers go; never throws.
  ~State() {
    if (copied == nullptr) return;
    int previous = -1;
    const bool switched = cudaGetDevice(&previous) == cudaSuccess && previous != target.index &&
                          cudaSetDevice(target.index) == cudaSuccess;
    if (recorded) {
      cudaEventSynchronize(copied);
    } else if (stream != nullptr) {
      cudaStreamSynchronize(stream);  // an error between queuing and recording: drain it all
    }
    cudaEventDestroy(copied);
    if (switched) cudaSetDevice(previous);
  }
};

Upload::Upload(const Tensor& host, Device device) : state_(std::make_unique<State>()) {
  CAMLAB_CHECK(host.defined() && host.device().is_cpu(),
               "Upload: the source must be a CPU tensor, got {}",
               host.defined() ? host.device().str() : std::string("an undefined tensor"));
  CAMLAB_CHECK(device.is_cuda(), "Upload: the destination must be a CUDA device, got {}",
               device.str());
  state_->target = device;
  if (!host.is_contiguous() || !is_pinned(host)) {
    state_->device = host.to(device);  // pageable memory: cudaMemcpy stages it synchronously
    return;
  }
  DeviceGuard guard(device);
  state_->host = host;
  state_->device = Tensor::empty(host.shape(), host.dtype(), device);
  const cudaStream_t stream = copy_stream(device);
  // Both events exist before anything is queued; from here on an error still leaves State able
  // to wait for whatever was queued (its destructor runs when this constructor throws).
  state_->copied = new_event();
  cudaEvent_t allocated = new_event();  // (1): the block's previous users on S are done
  state_->stream = stream;
  const size_t nbytes = static_cast<size_t>(host.numel()) * dtype_size(host.dtype());
  cudaError_t status = cudaEventRecord(allocated, current_stream());
  if (status == cudaSuccess) status = cudaStreamWaitEvent(stream, allocated, 0);
  cudaEventDestroy(allocated);  // released once the wait has consumed it
  if (status == cudaSuccess) {
    status = cudaMemcpyAsync(state_->device.raw_data(), host.raw_data(), nbytes,
                             cudaMemcpyHostToDevice, stream);
  }
  if (status == cudaSuccess) status = cudaEventRecord(state_->copied, stream);
  state_->recorded = status == cudaSuccess;
  CAMLAB_CUDA_CHECK(status);
}

Upload::Upload() = default;
Upload::~Upload() = default;
Upload::Upload(Upload&&) noexcept = default;
Upload& Upload::operator=(Upload&&) noexcept = default;

Tensor Upload::wait() {
  CAMLAB_CHECK(state_ != nullptr,
               "Upload::wait: no copy in flight (default-constructed, or "
               "wait() was already called)");
  std::unique_ptr<State> state = std::move(state_);
  if (state->recorded) {
    DeviceGuard guard(state->target);
    CAMLAB_CUDA_CHECK(cudaEventSynchronize(state->copied));  // (2)
  }
  return state->device;  // (3): the host tensor is released with `state`
}

}  // namespace camlab::cuda
