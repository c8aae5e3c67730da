// Route 53 input rules: names, values, change batches, post-batch rules; texts as Route 53 words them.
#include "services/route53/validation.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "dns/rdata.h"
#include "dns/types.h"

namespace zk::route53 {
namespace {

using nlohmann::json;

// "Invalid Resource Record: 'FATAL problem: <Problem> (<text>) encountered with '<value>''" -- the form
// Route 53 answers today (e.g. binxio/cfn-ses-provider#21, ministryofjustice/cloud-platform-
// environments#7302); older answers lacked the outer quotes.
Status valueProblem(std::string_view problem, std::string_view value) {
  return invalidArgument("Invalid Resource Record: 'FATAL problem: " + std::string(problem) +
                         " encountered with '" + std::string(value) + "''");
}

bool isOctal(char c) { return c >= '0' && c <= '7'; }

// TXT/SPF: one or more "..." strings separated by blanks; inside, \" and \\ and \ddd escapes.
// Returns the problem text, or "" when the value is well formed.
std::string txtProblem(std::string_view v) {
  size_t i = 0, strings = 0;
  while (true) {
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
    if (i == v.size()) break;
    if (v[i] != '"') return "InvalidCharacterString (Value should be enclosed in quotation marks)";
    ++i;
    size_t len = 0;
    bool closed = false;
    while (i < v.size()) {
      char c = v[i];
      if (c == '"') {
        closed = true;
        ++i;
        break;
      }
      if (c == '\\') {
        if (i + 1 >= v.size()) break;
        if (std::isdigit(static_cast<unsigned char>(v[i + 1]))) {
          if (i + 3 >= v.size() || !std::isdigit(static_cast<unsigned char>(v[i + 2])) ||
              !std::isdigit(static_cast<unsigned char>(v[i + 3])))
            return "InvalidEscapeSequence (Value contains an invalid escape sequence)";
          i += 4;
        } else {
          i += 2;
        }
      } else {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f)
          return "UnsupportedCharacter (Value contains unsupported characters)";
        ++i;
      }
      ++len;
    }
    if (!closed) return "InvalidCharacterString (Value should be enclosed in quotation marks)";
    if (len > 255) return "CharacterStringTooLong (Value is too long)";
    ++strings;
    if (i < v.size() && v[i] != ' ' && v[i] != '\t')
      return "InvalidCharacterString (Value should be enclosed in quotation marks)";
  }
  if (strings == 0) return "InvalidCharacterString (Value should be enclosed in quotation marks)";
  return "";
}

std::string changeWhere(const std::string& action, std::string_view name, std::string_view type,
                        const std::string& set_identifier) {
  return "[Action=" + action + ", Name=" + std::string(name) + ", Type=" + std::string(type) +
         ", SetIdentifier=" + (set_identifier.empty() ? std::string("null") : set_identifier) + "]";
}

std::optional<std::string> optString(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

Result<dns::Name> parseRoute53Name(std::string_view text) {
  if (text.empty()) return invalidArgument("DomainLabelEmpty (Domain label is empty)");
  if (text == ".") return dns::Name();
  std::string wire;
  std::string label;
  bool after_separator = false;
  auto endLabel = [&]() -> Status {
    if (label.empty()) return invalidArgument("DomainLabelEmpty (Domain label is empty)");
    if (label.size() > dns::kMaxLabelLength)
      return invalidArgument("DomainLabelTooLong (Domain label is too long)");
    wire.push_back(static_cast<char>(label.size()));
    wire += label;
    label.clear();
    return Status();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    after_separator = false;
    if (c == '.') {
      ZK_RETURN_IF_ERROR(endLabel());
      after_separator = true;
      continue;
    }
    if (c == '\\') {
      // DomainNameFormat.html: "\three-digit octal code"; any other escaped character stands for itself.
      if (i + 1 >= text.size()) return invalidArgument("InvalidEscape (Value ends with an escape character)");
      if (isOctal(text[i + 1])) {
        if (i + 3 >= text.size() || !isOctal(text[i + 2]) || !isOctal(text[i + 3]))
          return invalidArgument("InvalidEscape (Escape must be three octal digits)");
        int v = (text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 + (text[i + 3] - '0');
        if (v > 255) return invalidArgument("InvalidEscape (Escape must be three octal digits)");
        label.push_back(static_cast<char>(v));
        i += 3;
      } else {
        label.push_back(text[i + 1]);
        ++i;
      }
      continue;
    }
    auto uc = static_cast<unsigned char>(c);
    if (uc <= 0x20 || uc >= 0x7f)
      return invalidArgument("UnsupportedCharacter (Value contains unsupported characters)");
    label.push_back(c);
  }
  if (!after_separator) ZK_RETURN_IF_ERROR(endLabel());
  wire.push_back('\0');
  if (wire.size() > dns::kMaxNameLength)
    return invalidArgument("DomainNameTooLong (Domain name is too long)");
  auto n = dns::Name::fromWire({reinterpret_cast<const uint8_t*>(wire.data()), wire.size()});
  if (!n.ok()) return invalidArgument("DomainNameInvalid (" + n.status().message() + ")");
  return n;
}

std::string nameProblemMessage(std::string_view text, const Status& parse_error) {
  // terraform#18482: "FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with '...'".
  return "FATAL problem: " + parse_error.message() + " encountered with '" + std::string(text) + "'";
}

Status validateRecordValue(uint16_t type, std::string_view value) {
  namespace t = dns::rrtype;
  switch (type) {
    case t::kA: {
      in_addr a;
      std::string s(value);
      if (inet_pton(AF_INET, s.c_str(), &a) != 1)
        return valueProblem("ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address)", value);
      break;
    }
    case t::kAAAA: {
      in6_addr a;
      std::string s(value);
      if (inet_pton(AF_INET6, s.c_str(), &a) != 1)
        return valueProblem("AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address)", value);
      break;
    }
    case t::kTXT:
    case t::kSPF: {
      std::string p = txtProblem(value);
      if (!p.empty()) return valueProblem(p, value);
      break;
    }
    case t::kCNAME:
    case t::kNS:
    case t::kPTR: {
      auto n = parseRoute53Name(value);
      if (!n.ok()) return valueProblem(n.status().message(), value);
      return Status();  // parsed by Route 53's rules; nothing else to check
    }
    default:
      break;
  }
  static const dns::Name kRoot;
  auto rdata = dns::rdataFromText(type, value, kRoot);
  if (!rdata.ok()) return valueProblem("InvalidRDATA (" + rdata.status().message() + ")", value);
  return Status();
}

Result<ParsedChangeBatch> parseChangeBatch(const json& change_batch, const dns::Name& apex,
                                           const ChangeBatchLimits& limits) {
  ParsedChangeBatch out;
  if (auto c = optString(change_batch, "Comment")) out.comment = *c;
  auto changes_it = change_batch.find("Changes");
  if (changes_it == change_batch.end() || !changes_it->is_array() || changes_it->empty())
    return invalidArgument("Invalid request: ChangeBatch must contain at least one Change");
  const std::string apex_text = route53NameText(apex);
  size_t record_count = 0, characters = 0;
  for (const json& change : *changes_it) {
    const std::string action = change.value("Action", "");
    const json& rrs = change.at("ResourceRecordSet");
    const std::string name_text = rrs.value("Name", "");
    const std::string type_text = rrs.value("Type", "");
    const std::string set_identifier = rrs.value("SetIdentifier", "");
    const std::string where = changeWhere(action, name_text, type_text, set_identifier);

    // The three ways to give a record set's data, exactly one of them (aws-cli#2508, boto3#157,
    // ministryofjustice/modernisation-platform#10072 show these texts).
    const bool has_alias = rrs.contains("AliasTarget");
    const bool has_ttl = rrs.contains("TTL");
    const bool has_records = rrs.contains("ResourceRecords") && !rrs["ResourceRecords"].empty();
    const bool has_policy_instance = rrs.contains("TrafficPolicyInstanceId");
    const int ways = int(has_alias) + int(has_ttl && has_records) + int(has_policy_instance);
    if (ways != 1 || (has_alias && (has_ttl || has_records))) {
      const bool more = ways > 1 || (has_alias && (has_ttl || has_records));
      return invalidArgument(
          "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or "
          "TrafficPolicyInstanceId], but found " +
          std::string(more ? "more than one" : "none") + " in Change with " + where);
    }
    // Routing policies: a set identifier goes with exactly one policy field.
    static constexpr const char* kPolicies[] = {"Weight",
                                                "Region",
                                                "Failover",
                                                "GeoLocation",
                                                "MultiValueAnswer",
                                                "CidrRoutingConfig",
                                                "GeoProximityLocation"};
    int policies = 0;
    for (const char* p : kPolicies) policies += rrs.contains(p) ? 1 : 0;
    if (set_identifier.empty() && policies > 0)
      return invalidArgument("Invalid request: Missing field 'SetIdentifier' in Change with " + where);
    if (!set_identifier.empty() && policies != 1)
      return invalidArgument(
          "Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, "
          "MultiValueAnswer, "
          "CidrRoutingConfig, or GeoProximityLocation], but found " +
          std::string(policies > 1 ? "more than one" : "none") + " in Change with " + where);

    auto name = parseRoute53Name(name_text);
    if (!name.ok()) {
      out.messages.push_back(nameProblemMessage(name_text, name.status()));
      continue;
    }
    std::optional<uint16_t> type = dns::typeFromText(type_text);
    if (!type) return invalidArgument("Invalid request: unknown record type '" + type_text + "'");

    RecordSet rs;
    rs.name = *name;
    rs.type = *type;
    rs.set_identifier = set_identifier;
    if (has_ttl) rs.ttl = static_cast<uint32_t>(rrs["TTL"].get<int64_t>());
    const int factor = action == "UPSERT" ? 2 : 1;  // "each ResourceRecord element is counted twice"
    if (has_records) {
      std::set<std::string> seen;
      for (const json& r : rrs["ResourceRecords"]) {
        std::string v = r.value("Value", "");
        record_count += factor;
        characters += factor * v.size();
        Status st = validateRecordValue(rs.type, v);
        if (!st.isOk()) {
          out.messages.push_back(st.message());
          continue;
        }
        if (!seen.insert(v).second) {
          out.messages.push_back("Duplicate Resource Record: '" + v + "'");
          continue;
        }
        rs.values.push_back(std::move(v));
      }
    }
    if (rrs.contains("Weight")) rs.weight = rrs["Weight"].get<int64_t>();
    rs.region = optString(rrs, "Region");
    rs.failover = optString(rrs, "Failover");
    if (rrs.contains("MultiValueAnswer")) rs.multivalue_answer = rrs["MultiValueAnswer"].get<bool>();
    rs.health_check_id = optString(rrs, "HealthCheckId");
    rs.traffic_policy_instance_id = optString(rrs, "TrafficPolicyInstanceId");
    if (rrs.contains("GeoLocation")) rs.geo_location = rrs["GeoLocation"].dump();
    if (rrs.contains("GeoProximityLocation")) rs.geoproximity_location = rrs["GeoProximityLocation"].dump();
    if (rrs.contains("CidrRoutingConfig")) rs.cidr_routing_config = rrs["CidrRoutingConfig"].dump();
    if (has_alias) {
      const json& a = rrs["AliasTarget"];
      AliasTarget at;
      at.hosted_zone_id = a.value("HostedZoneId", "");
      std::string target = a.value("DNSName", "");
      auto tn = parseRoute53Name(target);
      if (!tn.ok()) {
        out.messages.push_back(nameProblemMessage(target, tn.status()));
        continue;
      }
      at.dns_name = route53NameText(*tn);
      at.evaluate_target_health = a.value("EvaluateTargetHealth", false);
      rs.alias = std::move(at);
      rs.ttl = 0;
    }

    const std::string rs_name = route53NameText(rs.name);
    // kcp-dev/kcp-glbc#475, meltwater/terraform-aws-asg-dns-handler#38.
    if (!rs.name.isSubdomainOf(apex)) {
      out.messages.push_back("RRSet with DNS name " + rs_name + " is not permitted in zone " + apex_text);
      continue;
    }
    if (rs.type == dns::rrtype::kCNAME) {
      if (rs.name == apex) {
        out.messages.push_back("RRSet of type CNAME with DNS name " + rs_name +
                               " is not permitted at apex in zone " + apex_text);
        continue;
      }
      if (rs.values.size() > 1) {
        out.messages.push_back("RRSet of type CNAME with DNS name " + rs_name +
                               " may contain only one resource record");
        continue;
      }
    }
    if (rs.type == dns::rrtype::kSOA && action != "DELETE") {
      if (!(rs.name == apex) || !rs.set_identifier.empty() || rs.alias) {
        out.messages.push_back("RRSet of type SOA with DNS name " + rs_name + " is not permitted in zone " +
                               apex_text +
                               ": the SOA record set belongs at the apex, without routing policy");
        continue;
      }
      if (rs.values.size() != 1) {
        out.messages.push_back("RRSet of type SOA with DNS name " + rs_name +
                               " must contain exactly one resource record");
        continue;
      }
    }
    WriteAction wa = action == "CREATE"   ? WriteAction::kCreate
                     : action == "DELETE" ? WriteAction::kDelete
                                          : WriteAction::kUpsert;
    out.writes.push_back(RecordSetWrite{wa, std::move(rs)});
  }
  // dnscontrol#508, external-dns#515 / dnscontrol#908.
  if (record_count > limits.max_resource_records)
    out.messages.insert(out.messages.begin(), "Number of records limit of " +
                                                  std::to_string(limits.max_resource_records) + " exceeded.");
  if (characters > limits.max_value_characters)
    out.messages.insert(out.messages.begin(), "RDATA character limit of " +
                                                  std::to_string(limits.max_value_characters) + " exceeded.");
  return out;
}

Status checkNameAfterBatch(const dns::Name& apex, const dns::Name& name, std::span<const RecordSet> sets,
                           std::span<const RecordSetWrite> writes) {
  const std::string name_text = route53NameText(name);
  const std::string apex_text = route53NameText(apex);
  // What this batch put at the name (not deleted): the first such write names the culprit.
  const RecordSet* wrote_cname = nullptr;
  const RecordSet* wrote_other = nullptr;
  for (const RecordSetWrite& w : writes) {
    if (w.action == WriteAction::kDelete || !(w.record_set.name == name)) continue;
    if (w.record_set.type == dns::rrtype::kCNAME) {
      if (!wrote_cname) wrote_cname = &w.record_set;
    } else if (!wrote_other) {
      wrote_other = &w.record_set;
    }
  }
  bool has_cname = false, has_other = false;
  for (const RecordSet& rs : sets) (rs.type == dns::rrtype::kCNAME ? has_cname : has_other) = true;
  if (has_cname && has_other) {
    // RFC 1034 §3.6.2 / RFC 2181 §10.1. Texts: external-dns#3217 (CNAME added beside data) and
    // external-dns#1517, presslabs/zinc#178 (data added beside a CNAME; Route 53 prints two spaces
    // before "CNAME").
    if (wrote_cname)
      return failedPrecondition(
          "RRSet of type CNAME with DNS name " + name_text +
          " is not permitted as it conflicts with other records with the same DNS name in "
          "zone " +
          apex_text);
    std::string type = wrote_other ? dns::typeToText(wrote_other->type) : std::string("A");
    return failedPrecondition(
        "RRSet of type " + type + " with DNS name " + name_text +
        " is not permitted because a conflicting RRSet of type  CNAME with the same DNS "
        "name already exists in zone " +
        apex_text);
  }
  // Simple and routing-policy record sets of one type do not mix (external-dns#3141).
  for (const RecordSet& a : sets) {
    if (!a.set_identifier.empty()) continue;
    for (const RecordSet& b : sets) {
      if (b.type != a.type || b.set_identifier.empty()) continue;
      bool wrote_b = false;
      for (const RecordSetWrite& w : writes)
        if (w.action != WriteAction::kDelete && w.record_set.name == name && w.record_set.type == b.type &&
            w.record_set.set_identifier == b.set_identifier)
          wrote_b = true;
      if (wrote_b)
        return failedPrecondition(
            "RRSet with DNS name " + name_text + ", type " + dns::typeToText(b.type) + ", SetIdentifier " +
            b.set_identifier +
            " cannot be created as a non-weighted set exists with the same name and type.");
      return failedPrecondition("RRSet with DNS name " + name_text + ", type " + dns::typeToText(a.type) +
                                " cannot be created as weighted sets exist with the same name and type.");
    }
  }
  if (name == apex) {
    int soa = 0;
    bool ns = false;
    for (const RecordSet& rs : sets) {
      if (rs.type == dns::rrtype::kSOA) ++soa;
      if (rs.type == dns::rrtype::kNS && !rs.values.empty()) ns = true;
    }
    if (soa != 1) return failedPrecondition("A HostedZone must contain exactly one SOA record.");
    if (!ns)
      return failedPrecondition("A HostedZone must contain at least one NS record for the zone itself.");
  }
  return Status();
}

json recordSetToJson(const RecordSet& rs) {
  json j = json::object();
  j["Name"] = route53NameText(rs.name);
  j["Type"] = dns::typeToText(rs.type);
  if (!rs.set_identifier.empty()) j["SetIdentifier"] = rs.set_identifier;
  if (rs.weight) j["Weight"] = *rs.weight;
  if (rs.region) j["Region"] = *rs.region;
  auto parsed = [](const std::string& text) {
    json v = json::parse(text, nullptr, false);
    return v.is_discarded() ? json::object() : v;
  };
  if (rs.geo_location) j["GeoLocation"] = parsed(*rs.geo_location);
  if (rs.failover) j["Failover"] = *rs.failover;
  if (rs.multivalue_answer) j["MultiValueAnswer"] = *rs.multivalue_answer;
  if (!rs.alias && !rs.traffic_policy_instance_id) {
    j["TTL"] = rs.ttl;
    json records = json::array();
    for (const std::string& v : rs.values) records.push_back({{"Value", v}});
    j["ResourceRecords"] = std::move(records);
  }
  if (rs.alias) {
    j["AliasTarget"] = {{"HostedZoneId", rs.alias->hosted_zone_id},
                        {"DNSName", rs.alias->dns_name},
                        {"EvaluateTargetHealth", rs.alias->evaluate_target_health}};
  }
  if (rs.health_check_id) j["HealthCheckId"] = *rs.health_check_id;
  if (rs.traffic_policy_instance_id) j["TrafficPolicyInstanceId"] = *rs.traffic_policy_instance_id;
  if (rs.cidr_routing_config) j["CidrRoutingConfig"] = parsed(*rs.cidr_routing_config);
  if (rs.geoproximity_location) j["GeoProximityLocation"] = parsed(*rs.geoproximity_location);
  return j;
}

}  // namespace zk::route53
