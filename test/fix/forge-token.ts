/** The local forge token of the fix tests: the forge requires it, the Worker has it as LOCAL_FORGE_TOKEN. */
export const FORGE_TOKEN = "fix-test-forge-token-3c9e";
