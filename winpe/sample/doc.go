// Package sample generates a deterministic, WinPE-like base boot.wim for
// examples and tests, so that nothing needs Microsoft media to try wimbuild.
//
// The result is shaped like the boot.wim on Windows install media:
//
//	index 1  "Microsoft Windows PE (<arch>)"     FLAGS 9
//	index 2  "Microsoft Windows Setup (<arch>)"  FLAGS 2, boot index, \sources\setup.exe
//
//	\Windows\System32\config\{SYSTEM,SOFTWARE,DEFAULT}   real hives (regf engine)
//	\Windows\System32\{winpeshl,wpeinit,wdscapture,cmd}.exe, startnet.cmd, winload.{exe,efi}
//	\Windows\Boot\PXE\{pxeboot.com,pxeboot.n12,bootmgr.exe,wdsnbp.com,abortpxe.com,wdsmgfw.efi}
//	\Windows\Boot\DVD\PCAT\{BCD,boot.sdi,etfsboot.com}  \Windows\Boot\DVD\EFI\{BCD,boot.sdi,efisys.bin}
//	\Windows\Boot\EFI\{bootmgfw.efi,bootmgr.efi}  \Windows\Boot\Fonts\*.ttf
//	thousands of filler files (DLL/SYS/MUI/INF-like content, hard links into WinSxS)
//
// WIM XML carries a WINDOWS block (ARCH, EDITIONID WindowsPE, VERSION, …).
//
// Every executable, driver and boot file is a clearly marked placeholder:
// it starts with "MZ" (or the format's magic) followed by the text
// "wimbuild sample placeholder — not a real program". Nothing here boots.
//
// Content is generated on demand from a seeded generator (blobs are
// re-generated when the writer reads them), so memory stays flat whatever
// the filler size, and the same Options give the same bytes.
package sample
