#include "experiments/explain/sharded_explain.h"

#include "distributed/launch.h"
#include "tensor/ops.h"

namespace camlab::experiments {
namespace {

struct RowBlock {
  int64_t begin = 0, count = 0;
};

// Rank r's contiguous block of n rows: [n·r/size, n·(r+1)/size), sizes differing by one at most.
RowBlock block_of(int64_t n, const distributed::Communicator& comm) {
  const int64_t begin = n * comm.rank() / comm.size();
  return {begin, n * (comm.rank() + 1) / comm.size() - begin};
}

Tensor rows(const Tensor& t, RowBlock block) {
  return t.defined() ? t.narrow(0, block.begin, block.count).contiguous() : t;
}

// Every rank's block of rows put together, on every rank: each rank writes its rows into a zero
// buffer and the buffers are summed, exact in double for float32 and int64 values below 2⁵³.
Tensor gather_rows(const Tensor& block_rows, RowBlock block, int64_t n,
                   distributed::Communicator& comm) {
  if (!block_rows.defined()) return block_rows;
  Shape shape = block_rows.shape();
  shape[0] = n;
  Tensor all = ops::zeros(shape, DType::Float64);  // [n, ...]
  all.narrow(0, block.begin, block.count).copy_(block_rows.to(Device::cpu()).to(DType::Float64));
  comm.allreduce_sum(std::span(all.data<double>(), static_cast<size_t>(all.numel())));
  return all.to(block_rows.dtype()).to(block_rows.device());
}

void gather_each(std::map<std::string, Tensor>& tensors, RowBlock block, int64_t n,
                 distributed::Communicator& comm) {
  for (auto& [key, t] : tensors) t = gather_rows(t, block, n, comm);  // same key order on all
}

}  // namespace

ExplainResult explain_sharded(nn::Module& model, const ExplainInputs& inputs,
                              const ExplainRequest& request, distributed::Communicator& comm) {
  const int64_t n = inputs.images.size(0);
  CAMLAB_CHECK(n >= comm.size(),
               "explain: {} images cannot be split over {} ranks; explain at least one per rank "
               "(--count) or run fewer ranks",
               n, comm.size());
  const RowBlock block = block_of(n, comm);
  ExplainInputs mine;
  mine.images = rows(inputs.images, block);    // [n_r, C, H, W]
  mine.labels = rows(inputs.labels, block);    // [n_r]
  mine.indices = rows(inputs.indices, block);  // [n_r]
  mine.regions = rows(inputs.regions, block);  // [n_r, H, W]
  ExplainResult result = compute_explanations(model, mine, request);

  result.probabilities = gather_rows(result.probabilities, block, n, comm);  // [N, K]
  result.top.clear();
  for (int64_t i = 0; i < n; ++i) {
    result.top.push_back(top_classes(result.probabilities.select(0, i), request.top_k));
  }
  gather_each(result.file.maps, block, n, comm);
  gather_each(result.file.raw, block, n, comm);
  gather_each(result.file.classes, block, n, comm);
  result.file.logits = gather_rows(result.file.logits, block, n, comm);
  result.file.targets = gather_rows(result.file.targets, block, n, comm);
  result.file.inputs = inputs.images.to(request.device);
  result.file.indices = inputs.indices;
  if (comm.is_main()) write_explain_outputs(inputs, result, request);
  comm.barrier();  // the files exist once any rank returns
  return result;
}

ExplainResult explain_on_ranks(nn::Module& model, const ExplainInputs& inputs,
                               const ExplainRequest& request, const std::string& backend) {
  std::shared_ptr<distributed::Communicator> comm = distributed::make_communicator(backend);
  return comm->size() > 1 ? explain_sharded(model, inputs, request, *comm)
                          : explain(model, inputs, request);
}

}  // namespace camlab::experiments
