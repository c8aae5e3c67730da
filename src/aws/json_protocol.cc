// AWS JSON 1.1 protocol (ACM): X-Amz-Target selects the operation, JSON body in and out.
#include "aws/json_protocol.h"

#include <cmath>

#include "aws/timestamp.h"

namespace zk::aws {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr int kMaxDepth = 64;

std::string childPath(const std::string& where, std::string_view member) {
  return where.empty() ? validationName(member) : where + "." + validationName(member);
}

// Rejects documents nested deeper than kMaxDepth without building them.
bool withinDepth(std::string_view body) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

std::string typeError(const std::string& where, std::string_view expected) {
  const bool vowel =
      !expected.empty() && std::string_view("aeiou").find(expected.front()) != std::string_view::npos;
  return "Value at '" + (where.empty() ? std::string("input") : where) + "' must be " +
         (vowel ? "an " : "a ") + std::string(expected);
}

Result<json> readJson(const ShapeRef& ref, const json& v, const std::string& where, int depth) {
  if (depth > kMaxDepth) return invalidArgument("JSON nested too deeply at '" + where + "'");
  const Shape& s = *ref.shape;
  switch (s.type) {
    case ShapeType::kStructure: {
      if (!v.is_object()) return invalidArgument(typeError(where, "structure (JSON object)"));
      json obj = json::object();
      for (const Member& m : s.members) {
        auto it = v.find(std::string(wireName(m.ref, m.name)));
        if (it == v.end() || it->is_null()) continue;
        auto r = readJson(m.ref, *it, childPath(where, m.name), depth + 1);
        if (!r.ok()) return r.status();
        obj[m.name] = std::move(r).value();
      }
      return obj;
    }
    case ShapeType::kList: {
      if (!v.is_array()) return invalidArgument(typeError(where, "list (JSON array)"));
      json arr = json::array();
      for (size_t i = 0; i < v.size(); ++i) {
        if (v[i].is_null()) continue;
        auto r = readJson(s.member, v[i], where + "." + std::to_string(i + 1) + ".member", depth + 1);
        if (!r.ok()) return r.status();
        arr.push_back(std::move(r).value());
      }
      return arr;
    }
    case ShapeType::kMap: {
      if (!v.is_object()) return invalidArgument(typeError(where, "map (JSON object)"));
      json obj = json::object();
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (it->is_null()) continue;
        auto r = readJson(s.value, it.value(), where + "." + it.key(), depth + 1);
        if (!r.ok()) return r.status();
        obj[it.key()] = std::move(r).value();
      }
      return obj;
    }
    case ShapeType::kString:
      if (!v.is_string()) return invalidArgument(typeError(where, "string"));
      return v;
    case ShapeType::kBlob:
      if (!v.is_string() || !isBase64(v.get_ref<const std::string&>())) {
        return invalidArgument(typeError(where, "base64-encoded blob (string)"));
      }
      return v;
    case ShapeType::kBoolean:
      if (!v.is_boolean()) return invalidArgument(typeError(where, "boolean"));
      return v;
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      if (v.is_number_integer()) {
        if (s.type == ShapeType::kInteger) {
          const bool fits = v.is_number_unsigned()
                                ? v.get<uint64_t>() <= 2147483647ULL
                                : v.get<int64_t>() >= -2147483648LL && v.get<int64_t>() <= 2147483647LL;
          if (!fits) return invalidArgument(typeError(where, "32-bit integer"));
        } else if (v.is_number_unsigned() && v.get<uint64_t>() > 9223372036854775807ULL) {
          return invalidArgument(typeError(where, "64-bit integer"));
        }
        return json(v.get<int64_t>());
      }
      return invalidArgument(typeError(where, s.type == ShapeType::kInteger ? "integer" : "long"));
    }
    case ShapeType::kDouble:
    case ShapeType::kFloat:
      if (!v.is_number()) return invalidArgument(typeError(where, "number"));
      return v;
    case ShapeType::kTimestamp: {
      auto ms = timestampFromJson(v);
      if (!ms.ok()) return invalidArgument(typeError(where, "timestamp (epoch seconds or ISO 8601 string)"));
      return timestampToJson(*ms);
    }
  }
  return invalidArgument(typeError(where, shapeTypeName(s.type)));
}

Result<ordered_json> writeJson(const ShapeRef& ref, const json& v, const std::string& where, int depth) {
  if (depth > kMaxDepth) return internalError("output nested too deeply at '" + where + "'");
  const Shape& s = *ref.shape;
  auto bad = [&] {
    return internalError("output value at '" + where + "' is not a " + std::string(shapeTypeName(s.type)));
  };
  switch (s.type) {
    case ShapeType::kStructure: {
      if (!v.is_object()) return bad();
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (s.findMember(it.key()) == nullptr) {
          return internalError("output member '" + it.key() + "' is not in shape " + s.name);
        }
      }
      ordered_json obj = ordered_json::object();
      for (const Member& m : s.members) {
        auto it = v.find(m.name);
        if (it == v.end() || it->is_null()) continue;
        auto r = writeJson(m.ref, *it, childPath(where, m.name), depth + 1);
        if (!r.ok()) return r.status();
        obj[std::string(wireName(m.ref, m.name))] = std::move(r).value();
      }
      return obj;
    }
    case ShapeType::kList: {
      if (!v.is_array()) return bad();
      ordered_json arr = ordered_json::array();
      for (size_t i = 0; i < v.size(); ++i) {
        auto r = writeJson(s.member, v[i], where + "." + std::to_string(i + 1), depth + 1);
        if (!r.ok()) return r.status();
        arr.push_back(std::move(r).value());
      }
      return arr;
    }
    case ShapeType::kMap: {
      if (!v.is_object()) return bad();
      ordered_json obj = ordered_json::object();
      for (auto it = v.begin(); it != v.end(); ++it) {
        auto r = writeJson(s.value, it.value(), where + "." + it.key(), depth + 1);
        if (!r.ok()) return r.status();
        obj[it.key()] = std::move(r).value();
      }
      return obj;
    }
    case ShapeType::kString:
      if (v.is_string()) return ordered_json(v.get<std::string>());
      if (v.is_number_integer()) return ordered_json(v.dump());
      return bad();
    case ShapeType::kBlob:
      if (!v.is_string()) return bad();
      return ordered_json(v.get<std::string>());
    case ShapeType::kBoolean:
      if (!v.is_boolean()) return bad();
      return ordered_json(v.get<bool>());
    case ShapeType::kInteger:
    case ShapeType::kLong:
      if (v.is_number_integer()) return ordered_json(v.get<int64_t>());
      if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>() &&
          std::fabs(v.get<double>()) < 9.2e18) {
        return ordered_json(static_cast<int64_t>(v.get<double>()));
      }
      return bad();
    case ShapeType::kDouble:
    case ShapeType::kFloat:
      if (!v.is_number() || !std::isfinite(v.get<double>())) return bad();
      return ordered_json(v.get<double>());
    case ShapeType::kTimestamp: {
      // JSON protocol timestamps default to unixTimestamp (epoch seconds as a number).
      auto ms = timestampFromJson(v);
      if (!ms.ok()) return bad();
      if (effectiveTimestampFormat(ref, TimestampFormat::kUnixTimestamp) == TimestampFormat::kIso8601) {
        return ordered_json(formatIso8601(*ms));
      }
      if (*ms % 1000 == 0) return ordered_json(*ms / 1000);
      return ordered_json(static_cast<double>(*ms) / 1000.0);
    }
  }
  return bad();
}

std::string contentType(const ServiceModel& model) {
  const std::string& v = model.metadata().json_version;
  return "application/x-amz-json-" + (v.empty() ? std::string("1.0") : v);
}

}  // namespace

Result<OperationRequest> parseJsonRequest(const ServiceModel& model, std::string_view target_header,
                                          std::string_view body) {
  const size_t dot = target_header.rfind('.');
  const std::string_view prefix =
      dot == std::string_view::npos ? std::string_view() : target_header.substr(0, dot);
  const std::string_view name = dot == std::string_view::npos ? target_header : target_header.substr(dot + 1);
  const Operation* op = prefix == model.metadata().target_prefix ? model.findOperation(name) : nullptr;
  if (op == nullptr) {
    return unimplemented(target_header.empty()
                             ? std::string("Missing X-Amz-Target")
                             : "Unknown operation " + std::string(target_header.substr(0, 256)));
  }
  OperationRequest req;
  req.operation = op->name;
  json doc = json::object();
  const bool blank = body.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (!blank) {
    if (!withinDepth(body)) return invalidArgument("JSON body nested too deeply");
    doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return invalidArgument("Request body is not valid JSON");
    if (!doc.is_object()) return invalidArgument("Request body must be a JSON object");
  }
  if (!op->input) return req;
  auto input = readJson(*op->input, doc, "", 0);
  if (!input.ok()) return input.status();
  req.input = std::move(input).value();
  ZK_RETURN_IF_ERROR(model.validate(*op->input, req.input));
  return req;
}

Result<std::string> serializeJsonResponse(const ServiceModel& model, const std::string& operation,
                                          const json& output, std::string_view request_id,
                                          ResponseHeaders& out_headers) {
  const Operation* op = model.findOperation(operation);
  if (op == nullptr) return internalError("unknown operation " + operation);
  std::string body = "{}";
  if (op->output) {
    auto doc = writeJson(*op->output, output.is_null() ? json::object() : output, "", 0);
    if (!doc.ok()) return doc.status();
    body = doc->dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  }
  out_headers.status = 200;
  out_headers.set("Content-Type", contentType(model));
  out_headers.set("x-amzn-RequestId", std::string(request_id));
  return body;
}

std::string serializeJsonError(const ServiceModel& model, const AwsError& error, std::string_view request_id,
                               ResponseHeaders& out_headers) {
  ordered_json doc = ordered_json::object();
  doc["__type"] = error.code;
  doc["message"] = error.message;
  out_headers.status = error.http_status;
  out_headers.set("Content-Type", contentType(model));
  out_headers.set("x-amzn-RequestId", std::string(request_id));
  out_headers.set("x-amzn-ErrorType", error.code);
  return doc.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace zk::aws
