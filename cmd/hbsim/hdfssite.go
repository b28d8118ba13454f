package main

import (
	"fmt"

	"github.com/hbsim/hbsim/pkg/config"
)

// readHDFSSite reads an hdfs-site.xml for --hdfs-site and warns on stderr
// about every property hbsim does not model, one line each with its
// file:line, so none is dropped in silence.
func (a *app) readHDFSSite(path string) ([]config.Setting, error) {
	site, ignored, err := config.ReadHDFSSite(path)
	if err != nil {
		return nil, usageErr(err)
	}
	for _, ig := range ignored {
		fmt.Fprintf(a.stderr, "hbsim: warning: %s\n", ig)
	}
	return site, nil
}
