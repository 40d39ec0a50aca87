// Test-only preload (`node --require`): on SIGUSR2, writes the files this process has loaded so
// far (require.cache) to $LOADED_MODULES_FILE, so a test can check what the boot path pulled in.
const { writeFileSync } = require('node:fs');

process.on('SIGUSR2', () => {
  writeFileSync(process.env.LOADED_MODULES_FILE, JSON.stringify(Object.keys(require.cache)));
});
