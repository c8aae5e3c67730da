// Tests of the persistent HAMT: forced hash collisions, path copying, reclamation.
#include "zone/hamt.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

namespace zk::zone {
namespace {

// Crafted hashes: the node named "n<k>" / "x<k>" hashes to what the test registered for it.
std::map<std::string, uint64_t>& craftedHashes() {
  static std::map<std::string, uint64_t> m;
  return m;
}
uint64_t craftedHasher(const Node& n) {
  return craftedHashes().at(std::string(n.name().begin() + 1, n.name().begin() + 1 + n.name()[0]));
}

Node* MakeNode(const std::string& label, uint64_t hash) {
  std::vector<uint8_t> wire = {uint8_t(label.size())};
  wire.insert(wire.end(), label.begin(), label.end());
  wire.push_back(0);
  craftedHashes()[label] = hash;
  return NodeFactory::make(wire, 0, 0, {});
}

const Node* Find(hamt::Slot root, const std::string& label, uint64_t hash) {
  std::vector<uint8_t> wire = {uint8_t(label.size())};
  wire.insert(wire.end(), label.begin(), label.end());
  wire.push_back(0);
  return hamt::find(root, hash, wire.data(), wire.size());
}

// Hashes chosen to share long prefixes (and full 60-bit prefixes) to hit merge, collision lists and
// collapse paths, checked against a std::map model over random insert/remove sequences.
TEST(Hamt, CollisionsAndModel) {
  std::mt19937_64 rng(7);
  std::vector<uint64_t> hashes = {0,
                                  1,
                                  2,
                                  0x10,
                                  0x20,
                                  0xFFFFFFFFFFFFFFF0ull,
                                  0xFFFFFFFFFFFFFFF1ull,
                                  0x8000000000000000ull,
                                  0x8000000000000001ull,
                                  0x0800000000000000ull};
  for (int i = 0; i < 40; ++i) hashes.push_back(rng() & 0xF00000000000001Full);
  std::map<std::string, uint64_t> model;
  hamt::Slot root = 0;
  std::vector<hamt::Slot> versions;
  std::vector<std::map<std::string, uint64_t>> models;
  for (int step = 0; step < 3000; ++step) {
    int k = int(rng() % 80);
    std::string label = "n" + std::to_string(k);
    uint64_t h = hashes[size_t(k) % hashes.size()];
    hamt::Slot next;
    if (rng() % 3 == 0) {
      std::vector<uint8_t> wire = {uint8_t(label.size())};
      wire.insert(wire.end(), label.begin(), label.end());
      wire.push_back(0);
      bool found = false;
      next = hamt::remove(root, h, wire.data(), wire.size(), &found);
      EXPECT_EQ(found, model.count(label) == 1);
      if (!found) continue;
      model.erase(label);
    } else {
      next = hamt::insert(root, h, MakeNode(label, h), craftedHasher);
      model[label] = h;
    }
    if (step % 500 == 0) {  // keep some old versions alive to check they are unaffected
      versions.push_back(root);
      hamt::retain(root);
      models.push_back({});
    }
    hamt::release(root);
    root = next;
    for (const auto& [l, hh] : model) ASSERT_NE(Find(root, l, hh), nullptr) << l;
    size_t count = 0;
    hamt::forEach(root, [&](const Node&) { ++count; });
    ASSERT_EQ(count, model.size());
  }
  for (int k = 0; k < 80; ++k) {
    std::string label = "n" + std::to_string(k);
    uint64_t h = hashes[size_t(k) % hashes.size()];
    EXPECT_EQ(Find(root, label, h) != nullptr, model.count(label) == 1);
    EXPECT_EQ(Find(root, label + "x", h), nullptr);  // same hash, other name
  }
  for (auto v : versions) hamt::release(v);
  hamt::release(root);
}

TEST(Hamt, BuildMatchesInsert) {
  std::vector<Node*> nodes;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i)
    nodes.push_back(MakeNode("x" + std::to_string(i), rng() & ~uint64_t(0x3FFull)));
  nodes.push_back(MakeNode("dup-a", 42));
  nodes.push_back(MakeNode("dup-b", 42));
  std::sort(nodes.begin(), nodes.end(),
            [](Node* a, Node* b) { return craftedHasher(*a) < craftedHasher(*b); });
  std::vector<std::pair<std::string, uint64_t>> keys;
  std::vector<hamt::HashedNode> hashed;
  for (Node* n : nodes) {
    keys.emplace_back(std::string(n->name().begin() + 1, n->name().end() - 1), craftedHasher(*n));
    hashed.push_back({craftedHasher(*n), n});
  }
  hamt::Slot root = hamt::build(hashed);
  for (auto& [l, h] : keys) EXPECT_NE(Find(root, l, h), nullptr) << l;
  EXPECT_GT(hamt::structureBytes(root), 0u);
  hamt::release(root);
}

}  // namespace
}  // namespace zk::zone
