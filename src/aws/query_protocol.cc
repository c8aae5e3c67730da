// AWS query protocol (STS, IAM): form-encoded Action/Version/params in, <OpResponse> XML out.
#include "aws/query_protocol.h"

#include <algorithm>
#include <map>
#include <optional>

#include "aws/xml_util.h"

namespace zk::aws {
namespace {

using nlohmann::json;

constexpr size_t kMaxKeyComponents = 32;
constexpr int kMaxDepth = 64;

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parameters arranged by their dotted names: "A.member.1.B" -> A / member / 1 / B.
struct ParamNode {
  std::optional<std::string> value;
  std::map<std::string, ParamNode, std::less<>> children;
};

Status insertParam(ParamNode& root, std::string_view key, std::string value) {
  ParamNode* node = &root;
  size_t components = 0;
  while (true) {
    if (++components > kMaxKeyComponents) {
      return invalidArgument("Parameter name '" + std::string(key.substr(0, 128)) + "' is nested too deeply");
    }
    const size_t dot = key.find('.');
    node = &node->children[std::string(key.substr(0, dot))];
    if (dot == std::string_view::npos) break;
    key.remove_prefix(dot + 1);
  }
  node->value = std::move(value);
  return Status::ok();
}

// Children whose names are list/map indices 1..N, in numeric order.
Result<std::vector<const ParamNode*>> indexedChildren(const ParamNode& node, const std::string& where) {
  std::vector<std::pair<long, const ParamNode*>> items;
  for (const auto& [name, child] : node.children) {
    const bool digits = !name.empty() && name.size() <= 7 &&
                        std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
    const long index = digits ? std::stol(name) : 0;
    if (index < 1) return invalidArgument("Parameter '" + where + "." + name + "' has an invalid list index");
    items.emplace_back(index, &child);
  }
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const ParamNode*> out;
  out.reserve(items.size());
  for (const auto& [i, n] : items) out.push_back(n);
  return out;
}

Result<json> readParam(const ShapeRef& ref, const ParamNode& node, const std::string& where, int depth);

Status readStructure(const Shape& shape, const ParamNode& node, json& out, const std::string& where,
                     int depth) {
  for (const Member& m : shape.members) {
    std::string_view name = wireName(m.ref, m.name);
    // Flattened list with a member locationName: botocore replaces the last name component with it.
    if (m.ref.shape->type == ShapeType::kList && isFlattened(m.ref) &&
        !m.ref.shape->member.location_name.empty()) {
      name = m.ref.shape->member.location_name;
    }
    auto it = node.children.find(name);
    if (it == node.children.end()) continue;
    const std::string path = where.empty() ? validationName(m.name) : where + "." + validationName(m.name);
    auto v = readParam(m.ref, it->second, path, depth + 1);
    if (!v.ok()) return v.status();
    out[m.name] = std::move(v).value();
  }
  return Status::ok();
}

Result<json> readParam(const ShapeRef& ref, const ParamNode& node, const std::string& where, int depth) {
  if (depth > kMaxDepth) return invalidArgument("Parameter '" + where + "' is nested too deeply");
  const Shape& s = *ref.shape;
  switch (s.type) {
    case ShapeType::kStructure: {
      json obj = json::object();
      ZK_RETURN_IF_ERROR(readStructure(s, node, obj, where, depth));
      return obj;
    }
    case ShapeType::kList: {
      json items = json::array();
      const ParamNode* holder = &node;
      if (!isFlattened(ref)) {
        auto it = node.children.find(wireName(s.member, "member"));
        if (it == node.children.end()) {
          // "L=" is how an empty list is sent.
          if (node.value && node.value->empty()) return items;
          return invalidArgument("Parameter '" + where + "' must be a list (" + where + ".member.N)");
        }
        holder = &it->second;
      } else if (node.children.empty() && node.value && node.value->empty()) {
        return items;
      }
      auto children = indexedChildren(*holder, where);
      if (!children.ok()) return children.status();
      size_t i = 0;
      for (const ParamNode* c : *children) {
        auto v = readParam(s.member, *c, where + "." + std::to_string(++i) + ".member", depth + 1);
        if (!v.ok()) return v.status();
        items.push_back(std::move(v).value());
      }
      return items;
    }
    case ShapeType::kMap: {
      json obj = json::object();
      const ParamNode* holder = &node;
      if (!isFlattened(ref)) {
        auto it = node.children.find("entry");
        if (it == node.children.end()) {
          if (node.value && node.value->empty()) return obj;
          return invalidArgument("Parameter '" + where + "' must be a map (" + where + ".entry.N.key)");
        }
        holder = &it->second;
      }
      auto children = indexedChildren(*holder, where);
      if (!children.ok()) return children.status();
      const std::string_view key_name = wireName(s.key, "key");
      const std::string_view value_name = wireName(s.value, "value");
      for (const ParamNode* c : *children) {
        auto k = c->children.find(key_name);
        if (k == c->children.end() || !k->second.value) {
          return invalidArgument("Map entry of '" + where + "' has no " + std::string(key_name));
        }
        if (!isValidUtf8(*k->second.value))
          return invalidArgument("Map key of '" + where + "' is not valid UTF-8");
        auto v = c->children.find(value_name);
        if (v == c->children.end()) {
          obj[*k->second.value] = nullptr;
          continue;
        }
        auto value = readParam(s.value, v->second, where + "." + *k->second.value, depth + 1);
        if (!value.ok()) return value.status();
        obj[*k->second.value] = std::move(value).value();
      }
      return obj;
    }
    default:
      if (!node.value) return invalidArgument("Parameter '" + where + "' must be a single value");
      return scalarFromText(ref, *node.value, TimestampFormat::kIso8601, where);
  }
}

}  // namespace

Result<std::string> percentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const int hi = i + 2 < text.size() ? hexValue(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? hexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return invalidArgument("Invalid percent-encoding in '" + std::string(text.substr(0, 256)) + "'");
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> parseFormUrlEncoded(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty()) {
    const size_t amp = text.find('&');
    std::string_view part = text.substr(0, amp);
    if (!part.empty()) {
      const size_t eq = part.find('=');
      auto name = percentDecode(part.substr(0, eq), true);
      if (!name.ok()) return name.status();
      std::string value;
      if (eq != std::string_view::npos) {
        auto v = percentDecode(part.substr(eq + 1), true);
        if (!v.ok()) return v.status();
        value = std::move(v).value();
      }
      out.emplace_back(std::move(name).value(), std::move(value));
    }
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp + 1);
  }
  return out;
}

Result<OperationRequest> parseQueryRequest(const ServiceModel& model, std::string_view raw_query,
                                           std::string_view form_body) {
  auto query_params = parseFormUrlEncoded(raw_query);
  if (!query_params.ok()) return query_params.status();
  auto body_params = parseFormUrlEncoded(form_body);
  if (!body_params.ok()) return body_params.status();

  ParamNode root;
  std::optional<std::string> action, version;
  for (auto* params : {&*query_params, &*body_params}) {  // body last: it wins
    for (auto& [name, value] : *params) {
      if (name == "Action") {
        action = value;
      } else if (name == "Version") {
        version = value;
      } else {
        ZK_RETURN_IF_ERROR(insertParam(root, name, std::move(value)));
      }
    }
  }
  if (!action || action->empty()) return unimplemented("Missing Action");
  const Operation* op = model.findOperation(*action);
  if (op == nullptr || (version && *version != model.metadata().api_version)) {
    return unimplemented("Could not find operation " + action->substr(0, 128) + " for version " +
                         (version ? version->substr(0, 64) : model.metadata().api_version));
  }
  OperationRequest req;
  req.operation = op->name;
  if (op->input) {
    ZK_RETURN_IF_ERROR(readStructure(*op->input->shape, root, req.input, "", 0));
    ZK_RETURN_IF_ERROR(model.validate(*op->input, req.input));
  }
  return req;
}

Result<std::string> serializeQueryResponse(const ServiceModel& model, const std::string& operation,
                                           const json& output, std::string_view request_id,
                                           ResponseHeaders& out_headers) {
  const Operation* op = model.findOperation(operation);
  if (op == nullptr) return internalError("unknown operation " + operation);
  XmlWriter w;
  w.prolog();
  const std::string root = op->name + "Response";
  w.open(root, model.metadata().xml_namespace);
  if (op->output) {
    const std::string& wrapper = op->output->result_wrapper;
    if (!wrapper.empty()) w.open(wrapper);
    ZK_RETURN_IF_ERROR(
        writeXmlMembers(w, *op->output->shape, output.is_null() ? json::object() : output, ""));
    if (!wrapper.empty()) w.close(wrapper);
  }
  w.open("ResponseMetadata");
  w.textElement("RequestId", request_id);
  w.close("ResponseMetadata");
  w.close(root);
  out_headers.status = 200;
  out_headers.set("Content-Type", "text/xml");
  out_headers.set("x-amzn-RequestId", std::string(request_id));
  return w.take();
}

// Query error body: https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html and botocore
// QueryParser._do_error_parse (reads ErrorResponse/Error/{Code,Message} and RequestId).
std::string serializeQueryError(const ServiceModel& model, const AwsError& error, std::string_view request_id,
                                ResponseHeaders& out_headers) {
  return writeXmlErrorResponse(model.metadata().xml_namespace, error, request_id, out_headers);
}

}  // namespace zk::aws
