// Botocore service models (service-2.json) loaded into an indexed, immutable form that drives the codecs.
#include "aws/model.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>

#include "aws/timestamp.h"

namespace zk::aws {
namespace {

using nlohmann::json;
// The model document keeps key order (members are serialized in model order).
using ModelJson = nlohmann::ordered_json;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::optional<ShapeType> shapeTypeFromName(std::string_view t) {
  static const std::pair<std::string_view, ShapeType> kTypes[] = {
      {"structure", ShapeType::kStructure},
      {"list", ShapeType::kList},
      {"map", ShapeType::kMap},
      {"string", ShapeType::kString},
      {"integer", ShapeType::kInteger},
      {"long", ShapeType::kLong},
      {"boolean", ShapeType::kBoolean},
      {"double", ShapeType::kDouble},
      {"float", ShapeType::kFloat},
      {"timestamp", ShapeType::kTimestamp},
      {"blob", ShapeType::kBlob},
      {"character", ShapeType::kString},
      {"byte", ShapeType::kInteger},
      {"short", ShapeType::kInteger},
      {"bigdecimal", ShapeType::kDouble},
      {"biginteger", ShapeType::kLong},
  };
  for (const auto& [name, type] : kTypes) {
    if (name == t) return type;
  }
  return std::nullopt;
}

TimestampFormat timestampFormatFromName(std::string_view f) {
  if (f == "iso8601") return TimestampFormat::kIso8601;
  if (f == "rfc822") return TimestampFormat::kRfc822;
  if (f == "unixTimestamp") return TimestampFormat::kUnixTimestamp;
  return TimestampFormat::kDefault;
}

Location locationFromName(std::string_view l) {
  if (l == "uri") return Location::kUri;
  if (l == "querystring") return Location::kQueryString;
  if (l == "header") return Location::kHeader;
  if (l == "headers") return Location::kHeaders;
  if (l == "statusCode") return Location::kStatusCode;
  return Location::kBody;
}

std::string str(const ModelJson& obj, const char* key) {
  auto it = obj.find(key);
  if (it != obj.end() && it->is_string()) return it->get<std::string>();
  return {};
}

bool flag(const ModelJson& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

std::optional<double> num(const ModelJson& obj, const char* key) {
  auto it = obj.find(key);
  if (it != obj.end() && it->is_number()) return it->get<double>();
  return std::nullopt;
}

// Builds a reference from a {"shape": ..., traits...} object. Shape-level serialization traits
// (locationName, flattened, xmlNamespace, timestampFormat) apply unless the reference overrides them.
Result<ShapeRef> readRef(const ModelJson& ref_json, const ModelJson& shapes_json,
                         const std::map<std::string, std::unique_ptr<Shape>, std::less<>>& shapes) {
  if (!ref_json.is_object()) return invalidArgument("shape reference is not an object");
  ShapeRef ref;
  ref.shape_name = str(ref_json, "shape");
  auto it = shapes.find(ref.shape_name);
  if (it == shapes.end()) return invalidArgument("reference to unknown shape '" + ref.shape_name + "'");
  ref.shape = it->second.get();
  const ModelJson& target = shapes_json.at(ref.shape_name);
  auto trait = [&](const char* key) -> const ModelJson* {
    if (auto r = ref_json.find(key); r != ref_json.end()) return &*r;
    if (auto s = target.find(key); s != target.end()) return &*s;
    return nullptr;
  };
  ref.location = locationFromName(str(ref_json, "location"));
  if (const ModelJson* v = trait("locationName"); v && v->is_string())
    ref.location_name = v->get<std::string>();
  if (const ModelJson* v = trait("flattened"); v && v->is_boolean()) ref.flattened = v->get<bool>();
  ref.xml_attribute = flag(ref_json, "xmlAttribute");
  if (const ModelJson* v = trait("xmlNamespace"); v && v->is_object()) {
    ref.xml_namespace_uri = str(*v, "uri");
    ref.xml_namespace_prefix = str(*v, "prefix");
  }
  ref.result_wrapper = str(ref_json, "resultWrapper");
  if (const ModelJson* v = trait("timestampFormat"); v && v->is_string()) {
    ref.timestamp_format = timestampFormatFromName(v->get<std::string>());
  }
  return ref;
}

std::string truncatedValue(const json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.size() > 256) s = s.substr(0, 256) + "...";
  return s;
}

// Collects constraint failures while walking a value tree.
struct Validator {
  std::vector<std::string> messages;
  size_t count = 0;
  int depth = 0;

  void fail(const std::string& path, const std::string& shown_value, const std::string& constraint) {
    ++count;
    if (messages.size() < 10) {
      messages.push_back("Value " + shown_value + " at '" + path +
                         "' failed to satisfy constraint: " + constraint);
    }
  }

  static std::string quoted(const json& v) { return "'" + truncatedValue(v) + "'"; }

  static std::string bound(double b) {
    if (std::floor(b) == b && std::fabs(b) < 1e18) return std::to_string(static_cast<long long>(b));
    return json(b).dump();
  }

  void check(const ShapeRef& ref, const json& v, const std::string& path) {
    const Shape& s = *ref.shape;
    if (++depth > 64) {
      --depth;
      return;
    }
    switch (s.type) {
      case ShapeType::kStructure:
        if (v.is_object()) {
          for (const Member& m : s.members) {
            const std::string child =
                path.empty() ? validationName(m.name) : path + "." + validationName(m.name);
            auto it = v.find(m.name);
            if (it == v.end() || it->is_null()) {
              if (m.required) fail(child, "null", "Member must not be null");
              continue;
            }
            check(m.ref, *it, child);
          }
        }
        break;
      case ShapeType::kList:
        if (v.is_array()) {
          checkSize(s, v, v.size(), path);
          for (size_t i = 0; i < v.size(); ++i) {
            check(s.member, v[i], path + "." + std::to_string(i + 1) + ".member");
          }
        }
        break;
      case ShapeType::kMap:
        if (v.is_object()) {
          checkSize(s, v, v.size(), path);
          for (auto it = v.begin(); it != v.end(); ++it) {
            check(s.key, json(it.key()), path + "." + it.key() + ".key");
            check(s.value, it.value(), path + "." + it.key() + ".value");
          }
        }
        break;
      case ShapeType::kString:
        if (v.is_string()) {
          const std::string& text = v.get_ref<const std::string&>();
          if (!s.enum_values.empty() &&
              std::find(s.enum_values.begin(), s.enum_values.end(), text) == s.enum_values.end()) {
            std::string set;
            for (const auto& e : s.enum_values) set += (set.empty() ? "" : ", ") + e;
            fail(path, quoted(v), "Member must satisfy enum value set: [" + set + "]");
          }
          checkSize(s, v, utf8Length(text), path);
        }
        break;
      case ShapeType::kBlob:
        if (v.is_string()) {
          size_t n = 0;
          isBase64(v.get_ref<const std::string&>(), &n);
          checkSize(s, v, n, path);
        }
        break;
      case ShapeType::kInteger:
      case ShapeType::kLong:
      case ShapeType::kDouble:
      case ShapeType::kFloat:
        if (v.is_number()) {
          const double d = v.get<double>();
          if (s.min && d < *s.min)
            fail(path, quoted(v), "Member must have value greater than or equal to " + bound(*s.min));
          if (s.max && d > *s.max)
            fail(path, quoted(v), "Member must have value less than or equal to " + bound(*s.max));
        }
        break;
      case ShapeType::kBoolean:
      case ShapeType::kTimestamp:
        break;
    }
    --depth;
  }

  void checkSize(const Shape& s, const json& v, size_t n, const std::string& path) {
    if (s.min && static_cast<double>(n) < *s.min) {
      fail(path, quoted(v), "Member must have length greater than or equal to " + bound(*s.min));
    }
    if (s.max && static_cast<double>(n) > *s.max) {
      fail(path, quoted(v), "Member must have length less than or equal to " + bound(*s.max));
    }
  }

  // Length in Unicode code points, as AWS counts it (continuation bytes are not counted).
  static size_t utf8Length(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  }
};

Result<json> parseInteger(std::string_view text, ShapeType type, std::string_view where) {
  int64_t v = 0;
  std::string_view t = text;
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size()) {
    return invalidArgument("Value '" + std::string(text) + "' at '" + std::string(where) +
                           "' is not a valid " + std::string(type == ShapeType::kLong ? "long" : "integer"));
  }
  if (type == ShapeType::kInteger &&
      (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())) {
    return invalidArgument("Value '" + std::string(text) + "' at '" + std::string(where) +
                           "' is out of range for an integer");
  }
  return json(v);
}

std::string_view trimXmlSpace(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

// Splits a requestUri template ("/2013-04-01/hostedzone/{Id}/rrset/", "/{Bucket}/{Key+}?tagging").
void parseRequestUri(std::string_view uri, Operation& op) {
  std::string_view path = uri;
  if (auto q = uri.find('?'); q != std::string_view::npos) {
    path = uri.substr(0, q);
    std::string_view query = uri.substr(q + 1);
    while (!query.empty()) {
      const size_t amp = query.find('&');
      std::string_view part = query.substr(0, amp);
      if (!part.empty()) {
        const size_t eq = part.find('=');
        op.fixed_query.emplace_back(std::string(part.substr(0, eq)), eq == std::string_view::npos
                                                                         ? std::string()
                                                                         : std::string(part.substr(eq + 1)));
      }
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const size_t slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    UriSegment s;
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      s.is_label = true;
      seg = seg.substr(1, seg.size() - 2);
      if (!seg.empty() && seg.back() == '+') {
        s.greedy = true;
        seg.remove_suffix(1);
      }
    }
    s.text = std::string(seg);
    op.path_segments.push_back(std::move(s));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
}

}  // namespace

// ---- ResponseHeaders ----

void ResponseHeaders::set(std::string name, std::string value) {
  for (auto& [n, v] : fields) {
    if (iequals(n, name)) {
      v = std::move(value);
      return;
    }
  }
  fields.emplace_back(std::move(name), std::move(value));
}

const std::string* ResponseHeaders::find(std::string_view name) const {
  for (const auto& [n, v] : fields) {
    if (iequals(n, name)) return &v;
  }
  return nullptr;
}

// ---- Shape / ServiceModel ----

const Member* Shape::findMember(std::string_view member_name) const {
  for (const Member& m : members) {
    if (m.name == member_name) return &m;
  }
  return nullptr;
}

Result<std::shared_ptr<const ServiceModel>> ServiceModel::parse(std::string_view json_text) {
  ModelJson doc = ModelJson::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return invalidArgument("service model is not valid JSON");
  auto meta_it = doc.find("metadata");
  auto shapes_it = doc.find("shapes");
  auto ops_it = doc.find("operations");
  if (meta_it == doc.end() || shapes_it == doc.end() || ops_it == doc.end() || !meta_it->is_object() ||
      !shapes_it->is_object() || !ops_it->is_object()) {
    return invalidArgument("service model lacks metadata, shapes or operations");
  }
  std::shared_ptr<ServiceModel> model(new ServiceModel());
  const ModelJson& meta = *meta_it;
  const std::string protocol = str(meta, "protocol");
  if (protocol == "rest-xml") {
    model->metadata_.protocol = Protocol::kRestXml;
  } else if (protocol == "json") {
    model->metadata_.protocol = Protocol::kJson;
  } else if (protocol == "query") {
    model->metadata_.protocol = Protocol::kQuery;
  } else {
    return invalidArgument("unsupported protocol '" + protocol + "'");
  }
  ServiceMetadata& md = model->metadata_;
  md.api_version = str(meta, "apiVersion");
  md.endpoint_prefix = str(meta, "endpointPrefix");
  md.signing_name = str(meta, "signingName");
  if (md.signing_name.empty()) md.signing_name = md.endpoint_prefix;
  md.service_id = str(meta, "serviceId");
  md.target_prefix = str(meta, "targetPrefix");
  md.json_version = str(meta, "jsonVersion");
  md.xml_namespace = str(meta, "xmlNamespace");

  const ModelJson& shapes_json = *shapes_it;
  // Pass 1: every shape with its own traits.
  for (auto it = shapes_json.begin(); it != shapes_json.end(); ++it) {
    const ModelJson& sj = it.value();
    if (!sj.is_object()) return invalidArgument("shape '" + it.key() + "' is not an object");
    auto type = shapeTypeFromName(str(sj, "type"));
    if (!type)
      return invalidArgument("shape '" + it.key() + "' has unsupported type '" + str(sj, "type") + "'");
    auto shape = std::make_unique<Shape>();
    shape->name = it.key();
    shape->type = *type;
    shape->payload = str(sj, "payload");
    shape->flattened = flag(sj, "flattened");
    shape->min = num(sj, "min");
    shape->max = num(sj, "max");
    shape->timestamp_format = timestampFormatFromName(str(sj, "timestampFormat"));
    shape->exception = flag(sj, "exception");
    if (auto e = sj.find("enum"); e != sj.end() && e->is_array()) {
      for (const auto& v : *e) {
        if (v.is_string()) shape->enum_values.push_back(v.get<std::string>());
      }
    }
    if (auto e = sj.find("error"); e != sj.end() && e->is_object()) {
      ErrorTrait t;
      t.code = str(*e, "code");
      if (auto h = e->find("httpStatusCode"); h != e->end() && h->is_number_integer())
        t.http_status = h->get<int>();
      if (auto f = e->find("senderFault"); f != e->end() && f->is_boolean()) {
        t.sender_fault = f->get<bool>();
      } else {
        t.sender_fault = t.http_status < 500;
      }
      shape->error = t;
    }
    model->shapes_.emplace(it.key(), std::move(shape));
  }
  // Pass 2: resolve references.
  for (auto it = shapes_json.begin(); it != shapes_json.end(); ++it) {
    const ModelJson& sj = it.value();
    Shape& shape = *model->shapes_.at(it.key());
    auto resolve = [&](const char* key, ShapeRef& out) -> Status {
      auto r = sj.find(key);
      if (r == sj.end()) return invalidArgument("shape '" + shape.name + "' lacks '" + key + "'");
      auto ref = readRef(*r, shapes_json, model->shapes_);
      if (!ref.ok()) return ref.status();
      out = std::move(ref).value();
      return Status::ok();
    };
    if (shape.type == ShapeType::kStructure) {
      auto members = sj.find("members");
      if (members != sj.end() && members->is_object()) {
        std::vector<std::string> required;
        if (auto rq = sj.find("required"); rq != sj.end() && rq->is_array()) {
          for (const auto& r : *rq) {
            if (r.is_string()) required.push_back(r.get<std::string>());
          }
        }
        for (auto m = members->begin(); m != members->end(); ++m) {
          auto ref = readRef(m.value(), shapes_json, model->shapes_);
          if (!ref.ok())
            return Status(ref.status().code(), shape.name + "." + m.key() + ": " + ref.status().message());
          Member member;
          member.name = m.key();
          member.ref = std::move(ref).value();
          member.required = std::find(required.begin(), required.end(), member.name) != required.end();
          shape.members.push_back(std::move(member));
        }
      }
    } else if (shape.type == ShapeType::kList) {
      ZK_RETURN_IF_ERROR(resolve("member", shape.member));
    } else if (shape.type == ShapeType::kMap) {
      ZK_RETURN_IF_ERROR(resolve("key", shape.key));
      ZK_RETURN_IF_ERROR(resolve("value", shape.value));
    }
    if (shape.exception) {
      model->error_index_.emplace(shape.name, &shape);
      if (shape.error && !shape.error->code.empty()) model->error_index_.emplace(shape.error->code, &shape);
    }
  }
  // Operations.
  const ModelJson& ops_json = *ops_it;
  for (auto it = ops_json.begin(); it != ops_json.end(); ++it) {
    const ModelJson& oj = it.value();
    if (!oj.is_object()) return invalidArgument("operation '" + it.key() + "' is not an object");
    auto op = std::make_unique<Operation>();
    op->name = it.key();
    if (auto h = oj.find("http"); h != oj.end() && h->is_object()) {
      op->http_method = str(*h, "method");
      op->request_uri = str(*h, "requestUri");
      if (auto rc = h->find("responseCode"); rc != h->end() && rc->is_number_integer()) {
        op->response_code = rc->get<int>();
      }
    }
    if (op->http_method.empty()) op->http_method = "POST";
    if (op->request_uri.empty()) op->request_uri = "/";
    parseRequestUri(op->request_uri, *op);
    if (auto in = oj.find("input"); in != oj.end()) {
      auto ref = readRef(*in, shapes_json, model->shapes_);
      if (!ref.ok()) return ref.status();
      op->input = std::move(ref).value();
      if (md.protocol == Protocol::kRestXml && md.xml_namespace.empty() &&
          !op->input->xml_namespace_uri.empty()) {
        md.xml_namespace = op->input->xml_namespace_uri;
      }
    }
    if (auto out = oj.find("output"); out != oj.end()) {
      auto ref = readRef(*out, shapes_json, model->shapes_);
      if (!ref.ok()) return ref.status();
      op->output = std::move(ref).value();
    }
    if (auto errs = oj.find("errors"); errs != oj.end() && errs->is_array()) {
      for (const auto& e : *errs) {
        if (const Shape* s = model->findShape(str(e, "shape"))) op->errors.push_back(s);
      }
    }
    model->operation_index_.emplace(op->name, op.get());
    model->operations_.push_back(std::move(op));
  }
  if (md.xml_namespace.empty() && md.protocol != Protocol::kJson) {
    md.xml_namespace = "https://" + md.endpoint_prefix + ".amazonaws.com/doc/" + md.api_version + "/";
  }
  return std::shared_ptr<const ServiceModel>(std::move(model));
}

std::shared_ptr<const ServiceModel> ServiceModel::embedded(std::string_view service) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const ServiceModel>, std::less<>> models;
  std::lock_guard lock(mu);
  if (auto it = models.find(service); it != models.end()) return it->second;
  auto m = loadEmbedded(service);
  std::shared_ptr<const ServiceModel> model = m.ok() ? *m : nullptr;
  models.emplace(std::string(service), model);
  return model;
}

Result<std::shared_ptr<const ServiceModel>> ServiceModel::loadEmbedded(std::string_view service) {
  std::string_view text = embeddedModelJson(service);
  if (text.empty()) return notFound("no embedded service model '" + std::string(service) + "'");
  return parse(text);
}

const Operation* ServiceModel::findOperation(std::string_view name) const {
  auto it = operation_index_.find(name);
  return it == operation_index_.end() ? nullptr : it->second;
}

const Shape* ServiceModel::findShape(std::string_view name) const {
  auto it = shapes_.find(name);
  return it == shapes_.end() ? nullptr : it->second.get();
}

const Shape* ServiceModel::findErrorShape(std::string_view code) const {
  auto it = error_index_.find(code);
  return it == error_index_.end() ? nullptr : it->second;
}

Status ServiceModel::validate(const ShapeRef& ref, const json& value) const {
  if (ref.shape == nullptr) return Status::ok();
  Validator v;
  v.check(ref, value, "");
  if (v.count == 0) return Status::ok();
  std::string msg = std::to_string(v.count) +
                    (v.count == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < v.messages.size(); ++i) msg += (i ? "; " : "") + v.messages[i];
  return invalidArgument(msg);
}

// ---- helpers ----

std::string_view wireName(const ShapeRef& ref, std::string_view default_name) {
  return ref.location_name.empty() ? default_name : std::string_view(ref.location_name);
}

TimestampFormat effectiveTimestampFormat(const ShapeRef& ref, TimestampFormat protocol_default) {
  if (ref.timestamp_format != TimestampFormat::kDefault) return ref.timestamp_format;
  if (ref.shape && ref.shape->timestamp_format != TimestampFormat::kDefault)
    return ref.shape->timestamp_format;
  return protocol_default;
}

bool isFlattened(const ShapeRef& ref) { return ref.flattened || (ref.shape && ref.shape->flattened); }

std::string_view shapeTypeName(ShapeType t) {
  switch (t) {
    case ShapeType::kStructure:
      return "structure";
    case ShapeType::kList:
      return "list";
    case ShapeType::kMap:
      return "map";
    case ShapeType::kString:
      return "string";
    case ShapeType::kInteger:
      return "integer";
    case ShapeType::kLong:
      return "long";
    case ShapeType::kBoolean:
      return "boolean";
    case ShapeType::kDouble:
      return "double";
    case ShapeType::kFloat:
      return "float";
    case ShapeType::kTimestamp:
      return "timestamp";
    case ShapeType::kBlob:
      return "blob";
  }
  return "unknown";
}

std::string validationName(std::string_view member_name) {
  std::string out(member_name);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z') out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

// RFC 3629 §4 UTF8-octets syntax.
size_t utf8SequenceLength(std::string_view t) {
  if (t.empty()) return 0;
  const auto b = [&](size_t i) { return static_cast<unsigned char>(t[i]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  auto cont = [&](size_t i) { return i < t.size() && (b(i) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(1) > 0x9F) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

bool isValidUtf8(std::string_view text) {
  while (!text.empty()) {
    const size_t n = utf8SequenceLength(text);
    if (n == 0) return false;
    text.remove_prefix(n);
  }
  return true;
}

bool isBase64(std::string_view text, size_t* decoded_len) {
  size_t n = text.size();
  size_t pad = 0;
  while (pad < 2 && n > 0 && text[n - 1] == '=') {
    --n;
    ++pad;
  }
  if (pad > 0 && text.size() % 4 != 0) return false;
  if (n % 4 == 1) return false;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[i];
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (!ok) return false;
  }
  if (decoded_len) *decoded_len = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
  return true;
}

Result<json> scalarFromText(const ShapeRef& ref, std::string_view text, TimestampFormat default_format,
                            std::string_view where) {
  const Shape& s = *ref.shape;
  auto bad = [&](std::string_view what) {
    return invalidArgument("Value '" + std::string(text.substr(0, 256)) + "' at '" + std::string(where) +
                           "' is not a valid " + std::string(what));
  };
  switch (s.type) {
    case ShapeType::kString:
      if (!isValidUtf8(text)) {
        return invalidArgument("Value at '" + std::string(where) + "' is not valid UTF-8");
      }
      return json(std::string(text));
    case ShapeType::kInteger:
    case ShapeType::kLong:
      return parseInteger(trimXmlSpace(text), s.type, where);
    case ShapeType::kDouble:
    case ShapeType::kFloat: {
      std::string_view t = trimXmlSpace(text);
      double v = 0;
      auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (t.empty() || ec != std::errc() || ptr != t.data() + t.size() || !std::isfinite(v))
        return bad("number");
      return json(v);
    }
    case ShapeType::kBoolean: {
      // XML Schema §3.2.2 boolean lexical space: true, false, 1, 0.
      std::string_view t = trimXmlSpace(text);
      if (t == "true" || t == "1") return json(true);
      if (t == "false" || t == "0") return json(false);
      return bad("boolean");
    }
    case ShapeType::kTimestamp: {
      std::string_view t = trimXmlSpace(text);
      Result<int64_t> ms = invalidArgument("");
      switch (effectiveTimestampFormat(ref, default_format)) {
        case TimestampFormat::kRfc822:
          ms = parseRfc822(t);
          break;
        case TimestampFormat::kUnixTimestamp:
          ms = parseEpochSeconds(t);
          break;
        default:
          ms = parseIso8601(t);
          break;
      }
      if (!ms.ok()) {
        // Be liberal in what we accept: any of the three forms.
        ms = parseIso8601(t);
        if (!ms.ok()) ms = parseEpochSeconds(t);
        if (!ms.ok()) ms = parseRfc822(t);
      }
      if (!ms.ok()) return bad("timestamp");
      return timestampToJson(*ms);
    }
    case ShapeType::kBlob: {
      std::string_view t = trimXmlSpace(text);
      if (!isBase64(t)) return bad("base64 blob");
      return json(std::string(t));
    }
    case ShapeType::kStructure:
    case ShapeType::kList:
    case ShapeType::kMap:
      break;
  }
  return bad(shapeTypeName(s.type));
}

Result<std::string> scalarToText(const ShapeRef& ref, const json& value, TimestampFormat default_format,
                                 std::string_view where) {
  const Shape& s = *ref.shape;
  auto bad = [&] {
    return internalError("output value at '" + std::string(where) + "' is not a " +
                         std::string(shapeTypeName(s.type)) + ": " + truncatedValue(value));
  };
  switch (s.type) {
    case ShapeType::kString:
      if (value.is_string()) return value.get<std::string>();
      if (value.is_number_integer()) return value.dump();
      return bad();
    case ShapeType::kBlob:
      if (value.is_string()) return value.get<std::string>();
      return bad();
    case ShapeType::kInteger:
    case ShapeType::kLong:
      if (value.is_number_integer()) return value.dump();
      if (value.is_number_float()) {
        const double d = value.get<double>();
        if (std::floor(d) == d && std::fabs(d) < 9.2e18) return std::to_string(static_cast<long long>(d));
      }
      return bad();
    case ShapeType::kDouble:
    case ShapeType::kFloat:
      if (value.is_number() && std::isfinite(value.get<double>())) return value.dump();
      return bad();
    case ShapeType::kBoolean:
      if (value.is_boolean()) return std::string(value.get<bool>() ? "true" : "false");
      return bad();
    case ShapeType::kTimestamp: {
      auto ms = timestampFromJson(value);
      if (!ms.ok()) return bad();
      switch (effectiveTimestampFormat(ref, default_format)) {
        case TimestampFormat::kRfc822:
          return formatRfc822(*ms);
        case TimestampFormat::kUnixTimestamp:
          return formatEpochSeconds(*ms);
        default:
          return formatIso8601(*ms, true);
      }
    }
    case ShapeType::kStructure:
    case ShapeType::kList:
    case ShapeType::kMap:
      break;
  }
  return bad();
}

}  // namespace zk::aws
