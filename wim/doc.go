// Package wim reads and writes Windows Imaging (WIM) files.
//
// It is written from the format facts (wimlib headers as the de-facto spec,
// the Microsoft WIM white paper, [MS-XCA]) because no pure-Go library reads
// and writes every WIM feature wimbuild needs (XPRESS/LZX/LZMS, solid
// resources, integrity tables, raw chunk copy on export).
package wim
