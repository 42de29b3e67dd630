"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {load, plain} = require("./load.js");

const bm = load("00-core.js", "68-labels.js");
const box = (left, top, w, h) => ({left, top, right: left + w, bottom: top + h});

test("names are placed in order of importance and never overlap", () => {
  const chosen = bm.placeLabels([[box(0, 0, 50, 10)], [box(40, 5, 50, 10)], [box(100, 0, 20, 10)]], []);
  assert.deepEqual(plain(chosen), [0, -1, 0]);  // the second would cover the first: left out
});

test("a name takes its first free position; an obstacle (a symbol, a control) is never covered", () => {
  const symbol = box(10, 0, 20, 20);
  const chosen = bm.placeLabels([[box(15, 5, 30, 10), box(-40, 5, 30, 10)]], [symbol]);
  assert.deepEqual(plain(chosen), [1]);
});

test("a placed town keeps its dot free of later names, though the dot may sit under its own symbol", () => {
  const symbol = box(0, 0, 20, 20), dot = box(7, 7, 6, 6);
  const chosen = bm.placeLabels([[box(25, 5, 40, 10)], [box(5, 5, 10, 10), box(70, 5, 10, 10)]], [symbol],
                                [dot, null]);
  assert.deepEqual(plain(chosen), [0, 1]);
});

test("a name already shown is not repeated (the town wins over the province named after it)", () => {
  const chosen = bm.placeLabels([[box(0, 0, 30, 10)], [box(100, 100, 30, 10)], [box(200, 0, 30, 10)]], [],
                                null, ["Kabul", "Kabul", "Logar"]);
  assert.deepEqual(plain(chosen), [0, -1, 0]);
});

test("a position's box is the measured box moved by fractions of its size plus pixels", () => {
  const base = {left: 100, top: 50, right: 140, bottom: 60};  // 40 x 10
  assert.deepStrictEqual(plain(bm.labelBox(base, [0, 7, -0.5, 0])), {left: 107, top: 45, right: 147, bottom: 55});
  assert.deepStrictEqual(plain(bm.labelBox(base, [-1, -7, -0.5, 0])), {left: 53, top: 45, right: 93, bottom: 55});
  assert.deepStrictEqual(plain(bm.labelBox(base, [-0.5, 10, -1, -5])), {left: 90, top: 35, right: 130, bottom: 45});
  assert.strictEqual(bm.labelTransform([-1, -7, -0.5, 0]), "translate(calc(-100% + -7px), calc(-50% + 0px))");
});

test("a name set off its point gets a line from the point to the nearest edge of the name, none when beside it", () => {
  const at = {x: 100, y: 100};
  assert.equal(bm.leaderLine(at, box(95, 94, 40, 12)), null);  // on its point
  assert.equal(bm.leaderLine(at, box(104, 94, 40, 12)), null);  // right beside it
  const right = plain(bm.leaderLine(at, box(150, 94, 40, 12)));  // 50 px to the right, level with the point
  assert.deepEqual(right, {length: 52, angle: 0});
  const below = plain(bm.leaderLine(at, box(80, 160, 40, 12)));  // straight below
  assert.deepEqual(below, {length: 62, angle: 90});
  const diagonal = bm.leaderLine(at, box(140, 140, 40, 12));  // the corner nearest the point, 2 px in
  assert.equal(diagonal.length, Math.round(Math.hypot(42, 42)));
  assert.equal(diagonal.angle, 45);
});
