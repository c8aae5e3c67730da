// AWS rest-xml protocol (Route 53): route by method + requestUri, bind uri/query/header/XML body members.
#include "aws/rest_xml.h"

#include <algorithm>
#include <pugixml.hpp>
#include <set>

#include "aws/query_protocol.h"
#include "aws/xml_util.h"

namespace zk::aws {
namespace {

using nlohmann::json;

struct Match {
  const Operation* op = nullptr;
  std::vector<std::pair<std::string, std::string>> labels;  // label name -> decoded value
  int literals = -1;
  size_t fixed_query = 0;
};

Result<std::vector<std::string>> splitPath(std::string_view raw_path) {
  std::vector<std::string> segs;
  while (!raw_path.empty()) {
    if (raw_path.front() == '/') {
      raw_path.remove_prefix(1);
      continue;
    }
    const size_t slash = raw_path.find('/');
    auto seg = percentDecode(raw_path.substr(0, slash), /*plus_as_space=*/false);
    if (!seg.ok()) return seg.status();
    segs.push_back(std::move(seg).value());
    if (slash == std::string_view::npos) break;
    raw_path.remove_prefix(slash);
  }
  return segs;
}

bool matchSegments(const Operation& op, const std::vector<std::string>& segs, Match& m) {
  const auto& tpl = op.path_segments;
  auto greedy_it = std::find_if(tpl.begin(), tpl.end(), [](const UriSegment& s) { return s.greedy; });
  const bool has_greedy = greedy_it != tpl.end();
  if (has_greedy ? segs.size() < tpl.size() : segs.size() != tpl.size()) return false;
  const size_t extra = segs.size() - tpl.size();  // segments the greedy label takes beyond one
  size_t r = 0;
  m.labels.clear();
  m.literals = 0;
  for (const UriSegment& t : tpl) {
    if (t.greedy) {
      std::string joined;
      for (size_t k = 0; k <= extra; ++k) joined += (k ? "/" : "") + segs[r + k];
      m.labels.emplace_back(t.text, std::move(joined));
      r += extra + 1;
      continue;
    }
    if (t.is_label) {
      m.labels.emplace_back(t.text, segs[r]);
    } else if (t.text == segs[r]) {
      ++m.literals;
    } else {
      return false;
    }
    ++r;
  }
  return true;
}

bool hasQuery(const std::vector<std::pair<std::string, std::string>>& params, const std::string& key,
              const std::string& value) {
  return std::any_of(params.begin(), params.end(),
                     [&](const auto& p) { return p.first == key && (value.empty() || p.second == value); });
}

Result<Match> route(const ServiceModel& model, std::string_view method, std::string_view raw_path,
                    const std::vector<std::pair<std::string, std::string>>& params) {
  auto segs = splitPath(raw_path);
  if (!segs.ok()) return segs.status();
  Match best;
  for (const auto& op : model.operations()) {
    if (op->http_method != method) continue;
    Match m;
    if (!matchSegments(*op, *segs, m)) continue;
    bool fixed_ok = true;
    for (const auto& [k, v] : op->fixed_query) fixed_ok &= hasQuery(params, k, v);
    if (!fixed_ok) continue;
    m.op = op.get();
    m.fixed_query = op->fixed_query.size();
    if (m.literals > best.literals || (m.literals == best.literals && m.fixed_query > best.fixed_query)) {
      best = std::move(m);
    }
  }
  if (best.op == nullptr) {
    return unimplemented("No operation matches " + std::string(method) + " " +
                         std::string(raw_path.substr(0, 256)));
  }
  return best;
}

std::string base64Encode(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool isBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

Result<pugi::xml_node> parseRoot(pugi::xml_document& doc, std::string_view body,
                                 std::string_view expected_root) {
  // parse_default: CDATA, entity/character references, attribute whitespace and EOL normalisation. No DTD
  // processing: a DOCTYPE is skipped and custom entities are never expanded.
  pugi::xml_parse_result r =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r) {
    return invalidArgument(std::string("Invalid XML: ") + r.description() + " at offset " +
                           std::to_string(r.offset));
  }
  pugi::xml_node root = doc.document_element();
  if (!root || xmlLocalName(root) != expected_root) {
    return invalidArgument("Invalid XML: expected root element <" + std::string(expected_root) +
                           ">, found <" + std::string(root ? xmlLocalName(root) : std::string_view()) + ">");
  }
  return root;
}

Status bindBody(const Operation& op, std::string_view body, json& input) {
  const Shape& shape = *op.input->shape;
  if (!shape.payload.empty()) {
    const Member* pm = shape.findMember(shape.payload);
    if (pm == nullptr) return internalError("payload member " + shape.payload + " missing in " + shape.name);
    const ShapeType t = pm->ref.shape->type;
    if (t == ShapeType::kString) {
      if (!body.empty()) input[pm->name] = std::string(body);
      return Status::ok();
    }
    if (t == ShapeType::kBlob) {
      if (!body.empty()) input[pm->name] = base64Encode(body);
      return Status::ok();
    }
    if (isBlank(body)) return Status::ok();
    pugi::xml_document doc;
    auto root = parseRoot(doc, body, wireName(pm->ref, pm->name));
    if (!root.ok()) return root.status();
    auto v = readXmlValue(pm->ref, *root, validationName(pm->name));
    if (!v.ok()) return v.status();
    input[pm->name] = std::move(v).value();
    return Status::ok();
  }
  const bool has_body_members = std::any_of(shape.members.begin(), shape.members.end(), [](const Member& m) {
    return m.ref.location == Location::kBody;
  });
  if (!has_body_members || isBlank(body)) return Status::ok();
  pugi::xml_document doc;
  auto root = parseRoot(doc, body, wireName(*op.input, shape.name));
  if (!root.ok()) return root.status();
  return readXmlMembers(shape, *root, input, "");
}

}  // namespace

Result<const Operation*> findRestXmlOperation(const ServiceModel& model, std::string_view method,
                                              std::string_view raw_path, std::string_view raw_query) {
  auto params = parseFormUrlEncoded(raw_query);
  if (!params.ok()) return params.status();
  auto m = route(model, method, raw_path, *params);
  if (!m.ok()) return m.status();
  return m->op;
}

Result<OperationRequest> parseRestXmlRequest(const ServiceModel& model, std::string_view method,
                                             std::string_view raw_path, std::string_view raw_query,
                                             const HeaderLookup& headers, std::string_view body) {
  auto params = parseFormUrlEncoded(raw_query);
  if (!params.ok()) return params.status();
  auto match = route(model, method, raw_path, *params);
  if (!match.ok()) return match.status();
  const Operation& op = *match->op;
  OperationRequest req;
  req.operation = op.name;
  if (!op.input) return req;
  const Shape& shape = *op.input->shape;

  // Query parameters bound to named members; the rest may fill a querystring map member.
  std::set<std::string, std::less<>> named_query;
  for (const auto& [k, v] : op.fixed_query) named_query.insert(k);
  for (const Member& m : shape.members) {
    if (m.ref.location == Location::kQueryString && m.ref.shape->type != ShapeType::kMap) {
      named_query.insert(std::string(wireName(m.ref, m.name)));
    }
  }

  for (const Member& m : shape.members) {
    const std::string path = validationName(m.name);
    const std::string_view wire = wireName(m.ref, m.name);
    switch (m.ref.location) {
      case Location::kUri: {
        for (const auto& [label, value] : match->labels) {
          if (label != wire) continue;
          auto v = scalarFromText(m.ref, value, TimestampFormat::kIso8601, path);
          if (!v.ok()) return v.status();
          req.input[m.name] = std::move(v).value();
        }
        break;
      }
      case Location::kQueryString: {
        const Shape& ms = *m.ref.shape;
        if (ms.type == ShapeType::kList) {
          json items = json::array();
          for (const auto& [k, value] : *params) {
            if (k != wire) continue;
            auto v = scalarFromText(ms.member, value, TimestampFormat::kIso8601, path);
            if (!v.ok()) return v.status();
            items.push_back(std::move(v).value());
          }
          if (!items.empty()) req.input[m.name] = std::move(items);
        } else if (ms.type == ShapeType::kMap) {
          json obj = json::object();
          for (const auto& [k, value] : *params) {
            if (named_query.count(k)) continue;
            if (!isValidUtf8(k)) return invalidArgument("Query parameter name is not valid UTF-8");
            if (ms.value.shape->type == ShapeType::kList) {
              auto v =
                  scalarFromText(ms.value.shape->member, value, TimestampFormat::kIso8601, path + "." + k);
              if (!v.ok()) return v.status();
              obj[k].push_back(std::move(v).value());
            } else if (!obj.contains(k)) {
              auto v = scalarFromText(ms.value, value, TimestampFormat::kIso8601, path + "." + k);
              if (!v.ok()) return v.status();
              obj[k] = std::move(v).value();
            }
          }
          if (!obj.empty()) req.input[m.name] = std::move(obj);
        } else {
          auto it =
              std::find_if(params->begin(), params->end(), [&](const auto& p) { return p.first == wire; });
          if (it == params->end()) break;
          auto v = scalarFromText(m.ref, it->second, TimestampFormat::kIso8601, path);
          if (!v.ok()) return v.status();
          req.input[m.name] = std::move(v).value();
        }
        break;
      }
      case Location::kHeader: {
        if (!headers) break;
        auto h = headers(wire);
        if (!h) break;
        if (m.ref.shape->type == ShapeType::kList) {
          // RFC 7230 §3.2.2: a list header is comma-separated.
          json items = json::array();
          std::string_view rest = *h;
          while (!rest.empty()) {
            const size_t comma = rest.find(',');
            std::string_view item = rest.substr(0, comma);
            while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
            while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
            auto v = scalarFromText(m.ref.shape->member, item, TimestampFormat::kRfc822, path);
            if (!v.ok()) return v.status();
            items.push_back(std::move(v).value());
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
          }
          req.input[m.name] = std::move(items);
        } else {
          auto v = scalarFromText(m.ref, *h, TimestampFormat::kRfc822, path);
          if (!v.ok()) return v.status();
          req.input[m.name] = std::move(v).value();
        }
        break;
      }
      case Location::kHeaders:  // prefixed header maps need header enumeration; no Route 53 input uses them
      case Location::kStatusCode:  // output only
      case Location::kBody:
        break;
    }
  }
  ZK_RETURN_IF_ERROR(bindBody(op, body, req.input));
  ZK_RETURN_IF_ERROR(model.validate(*op.input, req.input));
  return req;
}

Result<std::string> serializeRestXmlResponse(const ServiceModel& model, const std::string& operation,
                                             const json& output, std::string_view request_id,
                                             ResponseHeaders& out_headers) {
  const Operation* op = model.findOperation(operation);
  if (op == nullptr) return internalError("unknown operation " + operation);
  ResponseHeaders headers;
  headers.status = op->response_code;
  headers.set("x-amzn-RequestId", std::string(request_id));
  headers.set("Content-Type", "text/xml");
  std::string body;
  if (op->output) {
    const Shape& shape = *op->output->shape;
    const json& value = output.is_null() ? json::object() : output;
    if (!value.is_object()) return internalError("output of " + operation + " is not an object");
    for (const Member& m : shape.members) {
      auto it = value.find(m.name);
      if (it == value.end() || it->is_null()) continue;
      if (m.ref.location == Location::kHeader) {
        auto text = scalarToText(m.ref, *it, TimestampFormat::kRfc822, m.name);
        if (!text.ok()) return text.status();
        headers.set(std::string(wireName(m.ref, m.name)), std::move(text).value());
      } else if (m.ref.location == Location::kHeaders) {
        if (!it->is_object()) return internalError("header map " + m.name + " is not an object");
        for (auto h = it->begin(); h != it->end(); ++h) {
          if (!h->is_string()) return internalError("header map " + m.name + " has a non-string value");
          headers.set(std::string(wireName(m.ref, "")) + h.key(), h->get<std::string>());
        }
      } else if (m.ref.location == Location::kStatusCode) {
        if (!it->is_number_integer())
          return internalError("status code member " + m.name + " is not an integer");
        headers.status = it->get<int>();
      }
    }
    XmlWriter w;
    if (!shape.payload.empty()) {
      const Member* pm = shape.findMember(shape.payload);
      auto it = value.find(shape.payload);
      if (pm != nullptr && it != value.end() && !it->is_null()) {
        if (pm->ref.shape->type == ShapeType::kString && it->is_string()) {
          body = it->get<std::string>();
        } else {
          w.prolog();
          ShapeRef ref = pm->ref;
          if (ref.xml_namespace_uri.empty()) ref.xml_namespace_uri = model.metadata().xml_namespace;
          ZK_RETURN_IF_ERROR(writeXmlValue(w, ref, wireName(ref, pm->name), *it, validationName(pm->name)));
          body = w.take();
        }
      }
    } else {
      w.prolog();
      const std::string_view root = wireName(*op->output, shape.name);
      const std::string& ns = op->output->xml_namespace_uri.empty() ? model.metadata().xml_namespace
                                                                    : op->output->xml_namespace_uri;
      w.open(root, ns);
      ZK_RETURN_IF_ERROR(writeXmlMembers(w, shape, value, ""));
      w.close(root);
      body = w.take();
    }
  }
  out_headers = std::move(headers);
  return body;
}

std::string serializeRestXmlError(const ServiceModel& model, const AwsError& error,
                                  std::string_view request_id, ResponseHeaders& out_headers) {
  return writeXmlErrorResponse(model.metadata().xml_namespace, error, request_id, out_headers);
}

std::string serializeInvalidChangeBatchXml(const ServiceModel& model, const AwsError& error,
                                           std::string_view request_id, ResponseHeaders& out_headers) {
  XmlWriter w;
  w.prolog();
  w.open("InvalidChangeBatch", model.metadata().xml_namespace);
  w.open("Messages");
  if (error.messages.empty()) {
    w.textElement("Message", error.message);
  } else {
    for (const auto& m : error.messages) w.textElement("Message", m);
  }
  w.close("Messages");
  w.textElement("RequestId", request_id);
  w.close("InvalidChangeBatch");
  setXmlErrorHeaders(error.http_status, request_id, out_headers);
  return w.take();
}

}  // namespace zk::aws
