#include "tensor/claimed_size.h"

#include "tensor/error.h"

namespace camlab {

uint64_t checked_bytes(const Shape& shape, uint64_t element_bytes, std::string_view what) {
  uint64_t bytes = element_bytes;
  for (int64_t size : shape) {
    CAMLAB_CHECK(size >= 0, "{}: shape {} has a negative size", what, shape_str(shape));
    CAMLAB_CHECK(!__builtin_mul_overflow(bytes, static_cast<uint64_t>(size), &bytes),
                 "{}: shape {} of {}-byte values needs more than 2^64 bytes; the header is corrupt",
                 what, shape_str(shape), element_bytes);
  }
  return bytes;
}

void check_claim_fits_file(uint64_t claimed, uint64_t stored, std::string_view what) {
  constexpr uint64_t kAlwaysAllowed = uint64_t{1} << 20;
  const uint64_t most =
      stored > UINT64_MAX / kMaxDeflateRatio ? UINT64_MAX : stored * kMaxDeflateRatio;
  CAMLAB_CHECK(claimed <= kAlwaysAllowed || claimed <= most,
               "{}: claims {} bytes of data but the file stores {}; even deflate's best ratio "
               "({}:1) cannot hold that, so the file is corrupt or truncated",
               what, claimed, stored, kMaxDeflateRatio);
}

}  // namespace camlab
