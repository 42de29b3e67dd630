// Loads the page script's pure modules into a fresh context, as the page would, without a browser.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const PAGE_JS = path.join(__dirname, "..", "..", "src", "bordermap", "page", "js");

function load(...names) {
  const context = vm.createContext({URLSearchParams, console, Blob, Response, DecompressionStream});
  for (const name of names) {
    const file = path.join(PAGE_JS, name);
    vm.runInContext(fs.readFileSync(file, "utf8"), context, {filename: file});
  }
  return context.bordermap;
}

module.exports = {load, PAGE_JS};

// Values made in the loaded context have their own Array prototype; compare them as plain data.
module.exports.plain = (value) => JSON.parse(JSON.stringify(value));
