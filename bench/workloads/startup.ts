// The trivial script: time to first output and to exit.
console.log('hello from startup.ts');
