(function (host, internal) {
  "use strict";
  // placeholder: being written
})
