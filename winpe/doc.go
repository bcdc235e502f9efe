// Package winpe holds Windows PE knowledge: Winpeshl.ini, startnet.cmd,
// WDSCapture.inf, scratch space, PXE tree layout and media layout.
package winpe
