// A CommonJS dependency that requires a Node built-in at run time, as many bundled libraries do.
module.exports = function platform() {
  return require('node:os').platform();
};
