/**
 * Whether a frame's file is the project's own code, not a dependency, the
 * runtime or a bundle of dependencies: fingerprints and the evidence summary
 * look at in-app frames only.
 */
export function isInAppFile(file: string): boolean {
  return !(
    /node_modules|site-packages|dist-packages|^internal\/|^node:|<anonymous>|^native$|webpack\/bootstrap/.test(file) ||
    // a browser extension's script running in the page (chrome-extension://<id>/content.js)
    /^(?:chrome|moz|safari(?:-web)?|ms-browser)-extension:/.test(file) ||
    // a browser bundle of dependencies (vendor.js, chunk-vendors.3f9a.js, polyfills.js)
    /(?:^|\/)(?:vendors?|chunk-vendors|polyfills)\b[\w.~-]*\.m?js$/.test(file) ||
    file === "" ||
    file === "<anonymous>"
  );
}
