// Master-file parser (RFC 1035 §5.1, $TTL from RFC 2308 §4). One pass over the text with
// string_view tokens; no regex and no per-token allocation.
#include "dns/zonefile.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "dns/presentation.h"
#include "dns/rdata.h"
#include "dns/types.h"

namespace zk::dns {
namespace {

constexpr int kMaxIncludeDepth = 8;

// Characters that end an unquoted token in a master file.
constexpr auto kDelimiter = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : {' ', '\t', '\r', '\n', ';', '(', ')', '"'}) t[c] = true;
  return t;
}();

struct ZToken {
  std::string_view raw;  // without the quotes of a quoted token
  const char* begin;     // first character (the opening quote of a quoted token)
  const char* end;       // one past the last character (past the closing quote)
  uint32_t line;
  uint32_t col;
  bool quoted;
  bool adjacent;         // no blank between the previous token and this one
  bool after_structure;  // '(' ')' ';' or a line break between the previous token and this one
};

bool equalsIgnoreCase(std::string_view a, std::string_view upper) {
  if (a.size() != upper.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'a' && c <= 'z') c = char(c - 32);
    if (c != upper[i]) return false;
  }
  return true;
}

// Q and meta types (RFC 6895 §3.1: 128-255, plus OPT) cannot appear in zone data.
bool isMetaType(uint16_t type) { return type == rrtype::kOPT || (type >= 128 && type <= 255); }

// A large zone's record array (and its text) is tens of megabytes written once front to back; with
// 4 KiB pages its page faults cost more than the parsing itself. Transparent huge pages cut them
// 512-fold.
void adviseHugePages(void* data, size_t bytes) {
  constexpr uintptr_t kHuge = 2u << 20;
  if (bytes < 4 * kHuge) return;
  uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

// A file's contents, read into an uninitialised buffer (no zero-fill of tens of megabytes).
// Not mmap: a zone file truncated in place while being parsed would raise SIGBUS.
class FileText {
 public:
  std::string_view view() const { return {buf_.get(), size_}; }

  static Result<FileText> load(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      int e = errno;
      std::string msg = "cannot open '" + path + "': " + std::strerror(e);
      return e == ENOENT ? notFound(msg) : unavailable(msg);
    }
    FileText t;
    struct stat st;
    size_t cap = (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) ? size_t(st.st_size) : 0;
    cap = cap + 1 < (1u << 16) ? (1u << 16) : cap + 1;  // +1 to see EOF without growing
    t.buf_.reset(new char[cap]);
    adviseHugePages(t.buf_.get(), cap);  // before read() first touches the pages
    while (true) {
      if (t.size_ == cap) {
        std::unique_ptr<char[]> bigger(new char[cap * 2]);
        std::memcpy(bigger.get(), t.buf_.get(), t.size_);
        t.buf_ = std::move(bigger);
        cap *= 2;
      }
      ssize_t n = ::read(fd, t.buf_.get() + t.size_, cap - t.size_);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int e = errno;
        ::close(fd);
        return unavailable("cannot read '" + path + "': " + std::strerror(e));
      }
      if (n == 0) break;
      t.size_ += size_t(n);
    }
    ::close(fd);
    return t;
  }

 private:
  std::unique_ptr<char[]> buf_;
  size_t size_ = 0;
};

// Upper bound on the number of records: lines, counted with memchr (much faster than a byte loop).
size_t countLines(std::string_view text) {
  size_t lines = 1;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (const void* nl = std::memchr(p, '\n', size_t(end - p))) {
    ++lines;
    p = static_cast<const char*>(nl) + 1;
  }
  return lines;
}

class ZoneParser {
 public:
  ZoneParser(std::string_view text, std::string file_name, const ZoneParseOptions& options,
             std::vector<ResourceRecord>& out, int depth)
      : text_(text),
        file_name_(std::move(file_name)),
        options_(options),
        out_(out),
        depth_(depth),
        line_start_(text.data()),
        last_class_(options.default_class) {
    tokens_.reserve(16);
  }

  // State an included file inherits from its includer.
  void inherit(const ZoneParser& parent, std::optional<Name> origin) {
    origin_ = std::move(origin);
    dollar_ttl_ = parent.dollar_ttl_;
    last_ttl_ = parent.last_ttl_;
    last_class_ = parent.last_class_;
  }

  void setOrigin(std::optional<Name> origin) { origin_ = std::move(origin); }

  Status run() {
    while (true) {
      bool have = false;
      ZK_RETURN_IF_ERROR(nextEntry(have));
      if (!have) return Status();
      ZK_RETURN_IF_ERROR(processEntry());
    }
  }

 private:
  Status errorAt(uint32_t line, uint32_t col, const std::string& msg) const {
    return invalidArgument(file_name_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + msg);
  }
  Status error(const ZToken& t, const std::string& msg) const { return errorAt(t.line, t.col, msg); }
  uint32_t colOf(const char* p) const { return uint32_t(p - line_start_ + 1); }

  // Collects the tokens of the next entry (one line, or several joined by parentheses).
  Status nextEntry(bool& have) {
    tokens_.clear();
    const char* p = text_.data() + pos_;
    const char* const end = text_.data() + text_.size();
    while (p < end && !have) {
      leading_blank_ = *p == ' ' || *p == '\t';
      int depth = 0;
      uint32_t open_line = 0, open_col = 0;
      bool space = true, structure = false;
      while (true) {
        if (p >= end) {
          if (depth > 0) return errorAt(open_line, open_col, "unbalanced '(' (missing ')')");
          break;
        }
        const char c = *p;
        if (c == ' ' || c == '\t' || c == '\r') {
          ++p;
          space = true;
          continue;
        }
        if (c == '\n') {
          ++p;
          ++line_;
          line_start_ = p;
          if (depth == 0) break;
          space = structure = true;
          continue;
        }
        if (c == ';') {
          const void* nl = std::memchr(p, '\n', size_t(end - p));
          p = nl ? static_cast<const char*>(nl) : end;
          space = structure = true;
          continue;
        }
        if (c == '(') {
          if (depth == 0) {
            open_line = line_;
            open_col = colOf(p);
          }
          ++depth;
          ++p;
          space = structure = true;
          continue;
        }
        if (c == ')') {
          if (depth == 0) return errorAt(line_, colOf(p), "unbalanced ')'");
          --depth;
          ++p;
          space = structure = true;
          continue;
        }
        ZToken t;
        t.begin = p;
        t.line = line_;
        t.col = colOf(p);
        t.adjacent = !space && !tokens_.empty();
        t.after_structure = structure && !tokens_.empty();
        if (c == '"') {
          const char* q = p + 1;
          while (q < end && *q != '"' && *q != '\n') q += (*q == '\\' && q + 1 < end && q[1] != '\n') ? 2 : 1;
          if (q >= end || *q != '"') return error(t, "unterminated quoted string");
          t.raw = std::string_view(p + 1, size_t(q - p - 1));
          t.quoted = true;
          p = q + 1;
        } else {
          const char* q = p;
          while (q < end && !kDelimiter[uint8_t(*q)])
            q += (*q == '\\' && q + 1 < end && q[1] != '\n') ? 2 : 1;
          t.raw = std::string_view(p, size_t(q - p));
          t.quoted = false;
          p = q;
        }
        t.end = p;
        tokens_.push_back(t);
        space = structure = false;
      }
      have = !tokens_.empty();
    }
    pos_ = size_t(p - text_.data());
    return Status();
  }

  Status processEntry() {
    const ZToken* tk = tokens_.data();
    const size_t n = tokens_.size();
    if (!leading_blank_ && !tk[0].quoted && tk[0].raw[0] == '$') return directive();
    const Name* origin = origin_ ? &*origin_ : nullptr;

    size_t i = 0;
    if (!leading_blank_) {
      std::string err;
      size_t len = parseNameInto(tk[0].raw, origin, owner_, &err);
      if (len == 0) return error(tk[0], err);
      owner_len_ = len;
      i = 1;
    } else if (owner_len_ == 0) {
      return error(tk[0], "no owner name and no previous owner");
    }

    // [TTL] [class] type, TTL and class in either order (RFC 1035 §5.1).
    std::optional<uint32_t> ttl;
    std::optional<uint16_t> klass;
    std::optional<uint16_t> type;
    const ZToken* type_token = nullptr;
    for (; i < n; ++i) {
      const ZToken& t = tk[i];
      const char c0 = t.raw.empty() ? 0 : t.raw[0];
      if (c0 >= '0' && c0 <= '9' && !t.quoted) {
        if (ttl) return error(t, "unexpected second TTL '" + std::string(t.raw) + "'");
        ttl = parseTtl(t.raw);
        if (!ttl) return error(t, "invalid TTL '" + std::string(t.raw) + "'");
        continue;
      }
      if (!klass) {
        if (t.raw.size() == 2 && (t.raw[0] | 0x20) == 'i' && (t.raw[1] | 0x20) == 'n') {
          klass = rrclass::kIN;
          continue;
        }
        if (auto k = classFromText(t.raw)) {
          klass = k;
          continue;
        }
      }
      type = typeFromText(t.raw);
      if (!type || t.quoted) return error(t, "unknown record type '" + std::string(t.raw) + "'");
      type_token = &t;
      ++i;
      break;
    }
    if (!type) return error(tk[n - 1], "missing record type");
    if (isMetaType(*type))
      return error(*type_token,
                   "record type '" + std::string(type_token->raw) + "' is not allowed in zone data");

    // RFC 1035 §5: without $ORIGIN the zone's origin is the SOA owner.
    if (origin == nullptr && *type == rrtype::kSOA) {
      auto o = Name::fromWire(std::span<const uint8_t>(owner_, owner_len_));
      if (o.ok()) origin_ = std::move(o).value();
      origin = &*origin_;
    }

    ResourceRecord rr;
    rr.type = *type;
    if (ttl) {
      rr.ttl = *ttl;
      last_ttl_ = ttl;
    } else if (dollar_ttl_) {
      rr.ttl = *dollar_ttl_;
    } else if (last_ttl_) {
      rr.ttl = *last_ttl_;
    } else {
      rr.ttl = options_.default_ttl;
    }
    if (klass) last_class_ = *klass;
    rr.klass = last_class_;

    // RDATA: the text between the first and last token when it is one plain run, else the tokens
    // joined with blanks (parentheses, comments and line breaks removed).
    std::string_view rdata_text;
    std::string joined;
    bool complex = false;
    for (size_t j = i + 1; j < n; ++j) complex |= tk[j].after_structure;
    if (i < n) {
      if (!complex) {
        rdata_text = std::string_view(tk[i].begin, size_t(tk[n - 1].end - tk[i].begin));
      } else {
        joined_starts_.clear();
        for (size_t j = i; j < n; ++j) {
          if (j > i && !tk[j].adjacent) joined.push_back(' ');
          joined_starts_.push_back(joined.size());
          if (tk[j].quoted) joined.push_back('"');
          joined.append(tk[j].raw);
          if (tk[j].quoted) joined.push_back('"');
        }
        rdata_text = joined;
      }
    }
    // Fast path for the commonest records: A (RFC 1035 §3.4.1) and AAAA (RFC 3596 §2.4) with one
    // plain address token. Only a success is taken; anything else (bad address, `\#`, more tokens,
    // quotes) goes through appendRdataFromText so errors stay exactly the same.
    if ((rr.type == rrtype::kA || rr.type == rrtype::kAAAA) && i + 1 == n && !tk[i].quoted) {
      uint8_t addr[16];
      const bool v4 = rr.type == rrtype::kA;
      if (v4 ? parseIPv4(tk[i].raw, addr) : parseIPv6(tk[i].raw, addr)) {
        ZK_RETURN_IF_ERROR(setOwner(rr, tk[0]));
        rr.rdata.assign(addr, addr + (v4 ? 4 : 16));
        out_.push_back(std::move(rr));
        return Status();
      }
    }
    size_t err_off = size_t(-1);
    // Built in a reused buffer, then copied once at its exact size.
    scratch_.clear();
    Status s = appendRdataFromText(rr.type, rdata_text, origin, scratch_, &err_off);
    if (!s.isOk()) {
      if (err_off == size_t(-1) || i >= n) return error(*type_token, s.message());
      if (!complex) return errorAt(tk[i].line, tk[i].col + uint32_t(err_off), s.message());
      size_t j = size_t(std::upper_bound(joined_starts_.begin(), joined_starts_.end(), err_off) -
                        joined_starts_.begin());
      return error(tk[i + (j > 0 ? j - 1 : 0)], s.message());
    }
    ZK_RETURN_IF_ERROR(setOwner(rr, tk[0]));
    rr.rdata.assign(scratch_.begin(), scratch_.end());
    out_.push_back(std::move(rr));
    return Status();
  }

  Status setOwner(ResourceRecord& rr, const ZToken& owner_token) const {
    auto owner = Name::fromWire(std::span<const uint8_t>(owner_, owner_len_));
    if (!owner.ok()) return error(owner_token, owner.status().message());
    rr.owner = std::move(owner).value();
    return Status();
  }

  Status directive() {
    const ZToken* tk = tokens_.data();
    const size_t n = tokens_.size();
    std::string_view name = tk[0].raw;
    if (equalsIgnoreCase(name, "$ORIGIN")) {
      if (n != 2) return error(tk[0], "$ORIGIN takes one domain name");
      Name root;
      std::string err;
      uint8_t buf[kMaxNameLength];
      size_t len = parseNameInto(tk[1].raw, origin_ ? &*origin_ : &root, buf, &err);
      if (len == 0) return error(tk[1], err);
      origin_ = *Name::fromWire(std::span<const uint8_t>(buf, len));
      return Status();
    }
    if (equalsIgnoreCase(name, "$TTL")) {
      if (n != 2) return error(tk[0], "$TTL takes one TTL value");
      auto ttl = parseTtl(tk[1].raw);
      if (!ttl) return error(tk[1], "invalid TTL '" + std::string(tk[1].raw) + "'");
      dollar_ttl_ = ttl;
      return Status();
    }
    if (equalsIgnoreCase(name, "$INCLUDE")) {
      if (!options_.allow_include) return error(tk[0], "$INCLUDE is not allowed here");
      if (n < 2 || n > 3) return error(tk[0], "$INCLUDE takes a file name and an optional origin");
      if (depth_ >= kMaxIncludeDepth) return error(tk[0], "$INCLUDE nested too deeply");
      std::vector<uint8_t> path_bytes;
      if (!decodeEscapes(tk[1].raw, path_bytes)) return error(tk[1], "invalid escape in file name");
      std::filesystem::path path(std::string(path_bytes.begin(), path_bytes.end()));
      if (path.is_relative()) path = std::filesystem::path(file_name_).parent_path() / path;
      std::optional<Name> origin = origin_;
      if (n == 3) {
        Name root;
        std::string err;
        uint8_t buf[kMaxNameLength];
        size_t len = parseNameInto(tk[2].raw, origin_ ? &*origin_ : &root, buf, &err);
        if (len == 0) return error(tk[2], err);
        origin = *Name::fromWire(std::span<const uint8_t>(buf, len));
      }
      auto text = FileText::load(path.string());
      if (!text.ok()) return error(tk[1], text.status().message());
      ZoneParser sub(text->view(), path.string(), options_, out_, depth_ + 1);
      sub.inherit(*this, std::move(origin));
      return sub.run();
    }
    return error(tk[0], "unsupported directive '" + std::string(name) + "'");
  }

  std::string_view text_;
  std::string file_name_;
  const ZoneParseOptions& options_;
  std::vector<ResourceRecord>& out_;
  int depth_;

  size_t pos_ = 0;
  uint32_t line_ = 1;
  const char* line_start_;
  bool leading_blank_ = false;
  std::vector<ZToken> tokens_;
  std::vector<size_t> joined_starts_;
  std::vector<uint8_t> scratch_;

  std::optional<Name> origin_;
  uint8_t owner_[kMaxNameLength];  // previous owner, wire form
  size_t owner_len_ = 0;
  std::optional<uint32_t> dollar_ttl_;
  std::optional<uint32_t> last_ttl_;
  uint16_t last_class_;
};

}  // namespace

Result<std::vector<ResourceRecord>> parseZoneText(std::string_view text, const ZoneParseOptions& options) {
  std::vector<ResourceRecord> out;
  out.reserve(countLines(text));
  adviseHugePages(out.data(), out.capacity() * sizeof(ResourceRecord));
  ZoneParser parser(text, options.file_name, options, out, 0);
  parser.setOrigin(options.origin);
  Status s = parser.run();
  if (!s.isOk()) return s;
  return out;
}

Result<std::vector<ResourceRecord>> parseZoneFile(const std::string& path, const ZoneParseOptions& options) {
  auto text = FileText::load(path);
  if (!text.ok()) return text.status();
  if (options.file_name == ZoneParseOptions().file_name) {
    ZoneParseOptions o = options;
    o.file_name = path;
    return parseZoneText(text->view(), o);
  }
  return parseZoneText(text->view(), options);
}

Result<Name> zoneOrigin(const std::vector<ResourceRecord>& records) {
  for (const ResourceRecord& rr : records)
    if (rr.type == rrtype::kSOA) return rr.owner;
  return notFound("zone has no SOA record");
}

}  // namespace zk::dns
