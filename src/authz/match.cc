// Matching primitives of the policy language (see match.h).
#include "authz/match.h"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <cstring>

namespace zk::authz::detail {

namespace {
inline char lowerChar(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

std::string toLower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = lowerChar(c);
  return r;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lowerChar(a[i]) != lowerChar(b[i])) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------- Glob

Glob::Seg& Glob::open() {
  if (segs_.empty() || pending_star_) {
    segs_.push_back(Seg{pending_star_, {}, {}});
    pending_star_ = false;
  }
  return segs_.back();
}

void Glob::appendLiteral(std::string_view s) {
  if (s.empty()) return;
  Seg& seg = open();
  seg.chars.append(s);
  if (!seg.qmask.empty()) seg.qmask.append(s.size(), '\0');
}

void Glob::appendQuestion() {
  has_wildcards_ = true;
  Seg& seg = open();
  if (seg.qmask.empty()) seg.qmask.assign(seg.chars.size(), '\0');
  seg.chars.push_back('?');
  seg.qmask.push_back('\1');
}

void Glob::appendStar() {
  has_wildcards_ = true;
  pending_star_ = true;
}

bool Glob::segAt(const Seg& seg, std::string_view s, size_t pos) {
  const size_t n = seg.chars.size();
  if (pos + n > s.size()) return false;
  if (seg.qmask.empty()) return std::memcmp(s.data() + pos, seg.chars.data(), n) == 0;
  for (size_t i = 0; i < n; ++i)
    if (seg.qmask[i] == '\0' && seg.chars[i] != s[pos + i]) return false;
  return true;
}

size_t Glob::segFind(const Seg& seg, std::string_view s, size_t from, size_t end) {
  const size_t n = seg.chars.size();
  if (end < n || from > end - n) return std::string_view::npos;
  if (seg.qmask.empty()) {
    size_t f = s.substr(0, end).find(seg.chars, from);
    return f;
  }
  for (size_t p = from; p + n <= end; ++p)
    if (segAt(seg, s, p)) return p;
  return std::string_view::npos;
}

// Leftmost-first matching of the star-separated segments: the first segment is anchored at the start
// unless a '*' precedes it, the last at the end unless a '*' follows it; the ones between are found in
// order. That is exact for '*'/'?' patterns (no backtracking needed).
bool Glob::matches(std::string_view s) const {
  if (segs_.empty()) return pending_star_ || s.empty();
  const size_t n = segs_.size();
  size_t i = 0, pos = 0, end = s.size();
  if (!segs_[0].star_before) {
    if (!segAt(segs_[0], s, 0)) return false;
    pos = segs_[0].chars.size();
    i = 1;
    if (n == 1) return pending_star_ || pos == s.size();
  }
  size_t last = n;
  if (!pending_star_) {
    const Seg& l = segs_[n - 1];
    if (l.chars.size() > end - pos) return false;
    if (!segAt(l, s, end - l.chars.size())) return false;
    end -= l.chars.size();
    last = n - 1;
  }
  for (; i < last; ++i) {
    const size_t f = segFind(segs_[i], s, pos, end);
    if (f == std::string_view::npos) return false;
    pos = f + segs_[i].chars.size();
  }
  return true;
}

// ------------------------------------------------------------------------------------------- Pattern

Pattern Pattern::compile(std::string_view text, bool variables, bool wildcards) {
  Pattern p;
  p.text_ = std::string(text);
  auto lit = [&](std::string_view s) {
    if (s.empty()) return;
    if (!p.parts_.empty() && p.parts_.back().kind == Part::kLiteral) {
      p.parts_.back().text.append(s);
    } else {
      Part part;
      part.text = std::string(s);
      p.parts_.push_back(std::move(part));
    }
  };
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (wildcards && (c == '*' || c == '?')) {
      Part part;
      part.kind = c == '*' ? Part::kStar : Part::kQuestion;
      p.parts_.push_back(std::move(part));
      ++i;
      continue;
    }
    if (variables && c == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      // Find the closing brace, skipping a quoted default (which may contain '}' and '' escapes).
      size_t j = i + 2;
      bool in_quote = false;
      size_t close = std::string_view::npos;
      for (; j < text.size(); ++j) {
        if (in_quote) {
          if (text[j] == '\'') {
            if (j + 1 < text.size() && text[j + 1] == '\'') {
              ++j;
            } else {
              in_quote = false;
            }
          }
        } else if (text[j] == '\'') {
          in_quote = true;
        } else if (text[j] == '}') {
          close = j;
          break;
        }
      }
      if (close != std::string_view::npos) {
        std::string_view body = text.substr(i + 2, close - i - 2);
        if (body == "*" || body == "?" || body == "$") {
          lit(body);
          i = close + 1;
          continue;
        }
        Part var;
        var.kind = Part::kVariable;
        std::string_view key = body;
        bool ok = true;
        const size_t comma = body.find(',');
        if (comma != std::string_view::npos) {
          key = body.substr(0, comma);
          std::string_view rest = body.substr(comma + 1);
          while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
          while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
          if (rest.size() >= 2 && rest.front() == '\'' && rest.back() == '\'') {
            rest = rest.substr(1, rest.size() - 2);
            var.has_default = true;
            for (size_t k = 0; k < rest.size(); ++k) {
              if (rest[k] == '\'') {
                if (k + 1 < rest.size() && rest[k + 1] == '\'') {
                  ++k;
                } else {
                  ok = false;  // a lone quote inside the default
                }
              }
              var.default_value.push_back(rest[k]);
            }
          } else {
            ok = false;
          }
        }
        while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
        while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
        if (ok && !key.empty() && key.find_first_of(" '{}$") == std::string_view::npos) {
          var.text = toLower(key);
          p.parts_.push_back(std::move(var));
          p.has_vars_ = true;
          i = close + 1;
          continue;
        }
      }
      // Not a well-formed variable: literal text.
    }
    lit(text.substr(i, 1));
    ++i;
  }
  if (!p.has_vars_) {
    for (const Part& part : p.parts_) {
      switch (part.kind) {
        case Part::kLiteral:
          p.literal_ += part.text;
          p.glob_.appendLiteral(part.text);
          break;
        case Part::kStar:
          p.literal_ += '*';
          p.glob_.appendStar();
          break;
        case Part::kQuestion:
          p.literal_ += '?';
          p.glob_.appendQuestion();
          break;
        case Part::kVariable:
          break;
      }
    }
  }
  return p;
}

const std::string* Pattern::lookup(const RequestContext& ctx, const Part& p) const {
  const ContextValues* v = lookupKey(ctx, p.text);
  // Multi-valued keys cannot be policy variables.
  if (v != nullptr && v->size() == 1) return &v->front();
  if (p.has_default) return &p.default_value;
  return nullptr;
}

bool Pattern::resolveText(const RequestContext& ctx, std::string* out) const {
  if (!has_vars_) {
    *out = literal_;
    return true;
  }
  out->clear();
  for (const Part& part : parts_) {
    switch (part.kind) {
      case Part::kLiteral:
        out->append(part.text);
        break;
      case Part::kStar:
        out->push_back('*');
        break;
      case Part::kQuestion:
        out->push_back('?');
        break;
      case Part::kVariable: {
        const std::string* v = lookup(ctx, part);
        if (v == nullptr) return false;
        out->append(*v);
        break;
      }
    }
  }
  return true;
}

bool Pattern::resolveGlob(const RequestContext& ctx, Glob* out) const {
  *out = Glob();
  for (const Part& part : parts_) {
    switch (part.kind) {
      case Part::kLiteral:
        out->appendLiteral(part.text);
        break;
      case Part::kStar:
        out->appendStar();
        break;
      case Part::kQuestion:
        out->appendQuestion();
        break;
      case Part::kVariable: {
        const std::string* v = lookup(ctx, part);
        if (v == nullptr) return false;
        out->appendLiteral(*v);  // substituted text is never a wildcard
        break;
      }
    }
  }
  return true;
}

bool Pattern::matchesGlob(const RequestContext& ctx, std::string_view s) const {
  if (!has_vars_) return glob_.matches(s);
  Glob g;
  return resolveGlob(ctx, &g) && g.matches(s);
}

// ----------------------------------------------------------------------------------------- keys, ARN

const ContextValues* lookupKey(const RequestContext& ctx, std::string_view key) {
  const ContextValues* v = ctx.getLowered(key);
  if (v != nullptr) return v->empty() ? nullptr : v;
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
  // (for an assumed-role session aws:PrincipalArn is the role's ARN).
  // One slot per implied key, rewritten only when the principal changes: a pointer handed out earlier in
  // the same evaluation (same principal) stays valid while other keys are looked up.
  auto implied = [](ContextValues& slot, const std::string& value) -> const ContextValues* {
    if (value.empty()) return nullptr;
    if (slot.front() != value) slot.front() = value;
    return &slot;
  };
  if (key == "aws:principalarn") {
    thread_local ContextValues slot(1);
    return implied(slot, ctx.principal.source_arn.empty() ? ctx.principal.arn : ctx.principal.source_arn);
  }
  if (key == "aws:principalaccount") {
    thread_local ContextValues slot(1);
    return implied(slot, ctx.principal.account);
  }
  return nullptr;
}

bool splitArn(std::string_view arn, std::array<std::string_view, 6>* parts) {
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    const size_t c = arn.find(':', start);
    if (c == std::string_view::npos) return false;
    (*parts)[i] = arn.substr(start, c - start);
    start = c + 1;
  }
  (*parts)[5] = arn.substr(start);
  return (*parts)[0] == "arn";
}

bool ArnPattern::matches(const RequestContext& ctx, std::string_view arn) const {
  if (any) return true;
  std::array<std::string_view, 6> parts;
  if (!splitArn(arn, &parts)) return false;
  for (size_t i = 0; i < 6; ++i)
    if (!seg[i].matchesGlob(ctx, parts[i])) return false;
  return true;
}

// ------------------------------------------------------------------------------- numbers and dates

bool parseNumber(std::string_view s, double* out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const char c0 = s.front();
  if (!(c0 == '-' || c0 == '.' || (c0 >= '0' && c0 <= '9'))) return false;  // no "inf"/"nan"
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

bool parseDate(std::string_view s, int64_t* micros) {
  if (s.empty()) return false;
  // Epoch seconds (optionally fractional).
  if (s.find('-', 1) == std::string_view::npos && s.find('T') == std::string_view::npos) {
    double v = 0;
    if (!parseNumber(s, &v) || std::fabs(v) > 1e13) return false;
    *micros = static_cast<int64_t>(std::llround(v * 1e6));
    return true;
  }
  int y = 0, mo = 0, d = 0;
  if (!digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, &mo) || s[7] != '-' ||
      !digits(s, 8, 2, &d))
    return false;
  static const int kMonthDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kMonthDays[mo - 1]) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return false;
  int h = 0, mi = 0, sec = 0;
  int64_t frac_us = 0;
  int64_t offset_s = 0;
  size_t pos = 10;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return false;
    ++pos;
    if (!digits(s, pos, 2, &h) || pos + 2 >= s.size() || s[pos + 2] != ':' || !digits(s, pos + 3, 2, &mi))
      return false;
    pos += 5;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, &sec)) return false;
      pos += 3;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        size_t n = 0;
        int64_t scale = 100000;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (scale > 0) frac_us += (s[pos] - '0') * scale;
          scale /= 10;
          ++pos;
          ++n;
        }
        if (n == 0) return false;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return false;
    if (pos < s.size()) {
      if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        const int sign = s[pos] == '-' ? -1 : 1;
        int oh = 0, om = 0;
        if (!digits(s, pos + 1, 2, &oh)) return false;
        pos += 3;
        if (pos < s.size() && s[pos] == ':') ++pos;
        if (!digits(s, pos, 2, &om)) return false;
        pos += 2;
        if (oh > 23 || om > 59) return false;
        offset_s = sign * (oh * 3600 + om * 60);
      } else {
        return false;
      }
    }
    if (pos != s.size()) return false;
  }
  const int64_t secs = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                       h * 3600 + mi * 60 + sec - offset_s;
  *micros = secs * 1000000 + frac_us;
  return true;
}

// --------------------------------------------------------------------------------------------- IPs

bool parseIpNet(std::string_view s, IpNet* out) {
  IpNet n;
  std::string_view addr = s;
  int prefix = -1;
  const size_t slash = s.find('/');
  if (slash != std::string_view::npos) {
    addr = s.substr(0, slash);
    std::string_view p = s.substr(slash + 1);
    if (p.empty() || p.size() > 3) return false;
    int v = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    prefix = v;
  }
  if (addr.empty() || addr.size() > 45) return false;
  char buf[64];
  std::memcpy(buf, addr.data(), addr.size());
  buf[addr.size()] = '\0';
  if (addr.find(':') != std::string_view::npos) {
    n.v6 = true;
    if (inet_pton(AF_INET6, buf, n.addr.data()) != 1) return false;
    if (prefix < 0) prefix = 128;
    if (prefix > 128) return false;
  } else {
    if (inet_pton(AF_INET, buf, n.addr.data()) != 1) return false;
    if (prefix < 0) prefix = 32;
    if (prefix > 32) return false;
  }
  n.prefix = prefix;
  *out = n;
  return true;
}

bool ipInNet(const IpNet& ip, const IpNet& net) {
  if (ip.v6 != net.v6) return false;
  if (ip.prefix < net.prefix) return false;  // a request range wider than the policy's is not inside it
  int bits = net.prefix;
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xFF : static_cast<uint8_t>(0xFF << (8 - bits));
    if ((ip.addr[i] & mask) != (net.addr[i] & mask)) return false;
  }
  return true;
}

// ------------------------------------------------------------------------------------------ base64

bool base64Decode(std::string_view s, std::string* out) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (s.size() % 4 != 0) return false;
  out->clear();
  for (size_t i = 0; i < s.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s[i + k];
      if (c == '=') {
        if (i + 4 != s.size() || k < 2) return false;
        v[k] = 0;
        ++pad;
      } else {
        if (pad > 0) return false;
        v[k] = val(c);
        if (v[k] < 0) return false;
      }
    }
    const uint32_t w = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out->push_back(static_cast<char>((w >> 16) & 0xFF));
    if (pad < 2) out->push_back(static_cast<char>((w >> 8) & 0xFF));
    if (pad < 1) out->push_back(static_cast<char>(w & 0xFF));
  }
  return true;
}

}  // namespace zk::authz::detail
