// The ipywidgets HTML manager loads its icon fonts from a path derived from its own module
// name. Point that path at the copies this site serves next to this file, under _static/.
(function () {
  var here = document.currentScript.src;
  var staticRoot = here.slice(0, here.lastIndexOf("/") + 1);
  require.config({
    paths: { "@jupyter-widgets/html-manager/dist": staticRoot + "widgets" },
  });
})();
