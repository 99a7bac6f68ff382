#include "nn/graph/graph_def.h"

#include "tensor/error.h"

namespace camlab::nn {

const char* attribute_kind_name(Attribute::Kind kind) {
  switch (kind) {
    case Attribute::Kind::Int: return "int";
    case Attribute::Kind::Float: return "float";
    case Attribute::Kind::String: return "string";
    case Attribute::Kind::Ints: return "ints";
    case Attribute::Kind::Floats: return "floats";
    case Attribute::Kind::Tensor: return "tensor";
  }
  return "?";
}

namespace {

const Attribute* find_attribute(const NodeDef& node, const std::string& key,
                                std::initializer_list<Attribute::Kind> kinds) {
  auto it = node.attributes.find(key);
  if (it == node.attributes.end()) return nullptr;
  for (Attribute::Kind kind : kinds) {
    if (it->second.kind == kind) return &it->second;
  }
  fail("{} node '{}': attribute '{}' is a {}, expected a {}", node.op_type, node.label(), key,
       attribute_kind_name(it->second.kind), attribute_kind_name(*kinds.begin()));
}

}  // namespace

std::string NodeDef::label() const {
  if (!name.empty()) return name;
  return outputs.empty() ? op_type : outputs[0];
}

int64_t NodeDef::integer(const std::string& key, int64_t fallback) const {
  const Attribute* a = find_attribute(*this, key, {Attribute::Kind::Int});
  return a ? a->int_values.at(0) : fallback;
}

double NodeDef::real(const std::string& key, double fallback) const {
  const Attribute* a = find_attribute(*this, key, {Attribute::Kind::Float, Attribute::Kind::Int});
  if (!a) return fallback;
  return a->kind == Attribute::Kind::Float ? a->float_values.at(0)
                                           : static_cast<double>(a->int_values.at(0));
}

std::string NodeDef::string(const std::string& key, const std::string& fallback) const {
  const Attribute* a = find_attribute(*this, key, {Attribute::Kind::String});
  return a ? a->text : fallback;
}

std::vector<int64_t> NodeDef::ints(const std::string& key, std::vector<int64_t> fallback) const {
  const Attribute* a = find_attribute(*this, key, {Attribute::Kind::Ints, Attribute::Kind::Int});
  return a ? a->int_values : fallback;
}

std::vector<double> NodeDef::floats(const std::string& key, std::vector<double> fallback) const {
  const Attribute* a =
      find_attribute(*this, key, {Attribute::Kind::Floats, Attribute::Kind::Float});
  return a ? a->float_values : fallback;
}

}  // namespace camlab::nn
