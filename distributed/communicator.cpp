#include "distributed/communicator.h"

#include <cstdint>

namespace camlab::distributed {

std::string broadcast_string(Communicator& comm, std::string text, int root) {
  uint64_t length = text.size();
  comm.broadcast(std::as_writable_bytes(std::span(&length, 1)), root);
  text.resize(length);
  comm.broadcast(std::as_writable_bytes(std::span(text.data(), text.size())), root);
  return text;
}

}  // namespace camlab::distributed
