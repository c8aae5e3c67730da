// Access keys: key file, sealed secrets, admin bootstrap, cached SigV4 lookup.
#include "app/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "app/zone_admin.h"
#include "crypto/crypto.h"

namespace zk::app {
namespace {

constexpr const char* kAdminKeyMeta = "admin_access_key_id";

std::string randomFrom(std::string_view alphabet, size_t n) {
  // Rejection sampling keeps the choice uniform for any alphabet size.
  std::string out;
  const size_t limit = 256 - (256 % alphabet.size());
  while (out.size() < n) {
    auto bytes = crypto::randomBytes(2 * n);
    if (!bytes.ok()) continue;
    for (uint8_t b : *bytes) {
      if (b >= limit) continue;
      out.push_back(alphabet[b % alphabet.size()]);
      if (out.size() == n) break;
    }
  }
  return out;
}

Status writeAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return internalError(std::string("write: ") + std::strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
  return Status();
}

}  // namespace

Result<crypto::SecretBox> loadOrCreateSecretBox(const std::string& data_dir) {
  const std::string path = data_dir + "/" + kSecretKeyFile;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    auto key = crypto::randomBytes(crypto::SecretBox::kKeySize);
    if (!key.ok()) return key.status();
    const std::string tmp = path + ".tmp";
    int wfd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (wfd < 0) return internalError("cannot create " + tmp + ": " + std::strerror(errno));
    ::fchmod(wfd, 0600);
    Status st = writeAll(wfd, std::string(key->begin(), key->end()));
    if (st.isOk() && ::fsync(wfd) != 0) st = internalError("fsync " + tmp + ": " + std::strerror(errno));
    ::close(wfd);
    if (!st.isOk()) return st;
    // link() fails if another process created the key meanwhile; then that key wins.
    if (::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST)
      return internalError("cannot create " + path + ": " + std::strerror(errno));
    ::unlink(tmp.c_str());
    int dfd = ::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
    crypto::secureWipe(key->data(), key->size());
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) return internalError("cannot open " + path + ": " + std::strerror(errno));
  struct stat sb {};
  if (::fstat(fd, &sb) != 0 || (sb.st_mode & 077) != 0) {
    ::close(fd);
    return failedPrecondition(path + " must be readable by its owner only (chmod 600)");
  }
  std::vector<uint8_t> key(crypto::SecretBox::kKeySize + 1);
  ssize_t n = ::read(fd, key.data(), key.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(crypto::SecretBox::kKeySize)) {
    crypto::secureWipe(key.data(), key.size());
    return failedPrecondition(path + " must hold exactly 32 bytes");
  }
  key.resize(crypto::SecretBox::kKeySize);
  auto box = crypto::SecretBox::create(key);
  crypto::secureWipe(key.data(), key.size());
  return box;
}

Result<NewAccessKey> createAccessKey(route53::CredentialStore& store, const crypto::SecretBox& box,
                                     const std::string& account_id, const std::string& user_name,
                                     std::chrono::system_clock::time_point now) {
  // Key ids: "AKIA" + 16 base32 characters; secrets: 40 base64 characters, as AWS issues them.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
  NewAccessKey k;
  k.access_key_id = "AKIA" + randomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
  k.secret_access_key =
      randomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
  k.account_id = account_id;
  k.principal_arn = "arn:aws:iam::" + account_id + ":user/" + user_name;
  auto sealed = box.seal(k.secret_access_key, k.access_key_id);
  if (!sealed.ok()) return sealed.status();
  route53::AccessKey row;
  row.access_key_id = k.access_key_id;
  row.encrypted_secret.assign(sealed->begin(), sealed->end());
  row.account_id = account_id;
  row.user_name = user_name;
  row.principal_arn = k.principal_arn;
  row.status = route53::AccessKeyStatus::kActive;
  row.created_at = now;
  ZK_RETURN_IF_ERROR(store.createAccessKey(row));
  return k;
}

std::string credentialsFileText(const NewAccessKey& key, const std::string& profile) {
  return "[" + profile + "]\naws_access_key_id = " + key.access_key_id +
         "\naws_secret_access_key = " + key.secret_access_key + "\n";
}

Status writePrivateFile(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return internalError("cannot create " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);
  Status st = writeAll(fd, text);
  if (st.isOk() && ::fsync(fd) != 0) st = internalError("fsync " + tmp + ": " + std::strerror(errno));
  ::close(fd);
  if (!st.isOk()) return st;
  if (::rename(tmp.c_str(), path.c_str()) != 0) return internalError("rename to " + path + ": " + std::strerror(errno));
  return Status();
}

Result<std::optional<NewAccessKey>> bootstrapAdminKey(storage::SqliteStore& store, const crypto::SecretBox& box,
                                                      const std::string& data_dir) {
  auto recorded = store.getMeta(kAdminKeyMeta);
  if (!recorded.ok()) return recorded.status();
  if (recorded->has_value()) return std::optional<NewAccessKey>();
  auto account = ensureDefaultAccount(store);
  if (!account.ok()) return account.status();
  auto key = createAccessKey(store, box, *account, "admin", std::chrono::system_clock::now());
  if (!key.ok()) return key.status();
  ZK_RETURN_IF_ERROR(writePrivateFile(data_dir + "/" + kCredentialsFile, credentialsFileText(*key)));
  ZK_RETURN_IF_ERROR(store.setMeta(kAdminKeyMeta, key->access_key_id));
  return std::optional<NewAccessKey>(std::move(key).value());
}

std::string credentialsUsage(const std::string& data_dir, const std::string& api_endpoint,
                             const std::string& region) {
  std::error_code ec;
  std::string abs = std::filesystem::absolute(data_dir, ec).lexically_normal().string();
  if (ec) abs = data_dir;
  return "  export AWS_SHARED_CREDENTIALS_FILE=" + abs + "/" + kCredentialsFile + " AWS_DEFAULT_REGION=" +
         region + "\n  aws --endpoint-url " + api_endpoint + " route53 list-hosted-zones\n";
}

KeyResolver::KeyResolver(route53::CredentialStore& store, crypto::SecretBox box, const Clock& clock,
                         std::chrono::milliseconds ttl)
    : store_(store), box_(std::move(box)), clock_(clock), ttl_(ttl) {}

Result<aws::Credential> KeyResolver::lookup(std::string_view access_key_id) {
  const auto now = clock_.monotonic();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(std::string(access_key_id));
    if (it != cache_.end() && it->second.expires > now) return it->second.credential;
  }
  auto row = store_.getAccessKey(access_key_id);
  if (!row.ok()) return row.status();
  if (row->status != route53::AccessKeyStatus::kActive) return notFound("access key is inactive");
  std::string sealed(row->encrypted_secret.begin(), row->encrypted_secret.end());
  auto secret = box_.open(sealed, row->access_key_id);
  if (!secret.ok()) return internalError("cannot decrypt the secret of an access key (wrong secret.key?)");
  aws::Credential c;
  c.access_key_id = row->access_key_id;
  c.secret_access_key = std::move(secret).value();
  c.account_id = row->account_id;
  c.principal_arn = row->principal_arn;
  std::lock_guard lock(mu_);
  if (cache_.size() > 10000) cache_.clear();  // bound memory; entries are cheap to refill
  cache_[c.access_key_id] = Entry{c, now + ttl_};
  return c;
}

}  // namespace zk::app
