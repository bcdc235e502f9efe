// Package winpe holds Windows PE knowledge that does not depend on any file
// format engine: what Winpeshl.ini launches in each WDS mode, the rules a
// launch line must follow, the WDSCapture.inf settings of a capture image,
// scratch space, WinPE versions and the Windows 11 WDS rule, architecture
// names, and the paths of boot files inside an image.
//
// Sources (facts only):
//   - "Winpeshl.ini reference: launching an app when WinPE starts" (Microsoft
//     ADK docs): [LaunchApp] AppPath=… and [LaunchApps] lines "path[, args]",
//     run in order, 250 characters at most per entry.
//   - "WDS: Working with Images": capture images launch
//     %SYSTEMROOT%\system32\wdscapture.exe; discover images launch
//     setup.exe with "/wds /wdsdiscover [/wdsserver:<server>]";
//     /wdsserver requires /wdsdiscover.
//   - "Windows Deployment Services boot support" (wds-boot-support.md):
//     Windows 11 and later boot images block Setup in WDS mode.
//   - WDSCapture.inf: sections [Capture], [ExclusionList], [WDS] with the keys
//     the WDS capture utility reads (see CaptureConfig).
//
// The package only models and validates; rendering the .ini files with
// gopkg.in/ini.v1 happens in package builder (format packages import only
// the standard library). Lines are CRLF-terminated where they are rendered
// here (Lines, INF helpers), as Windows tools expect.
//
//	recipe (dsl) ──► winpe.Launch{Mode, Server, Apps}
//	                      │ Validate(image facts)
//	                      ▼
//	           LaunchApps lines ──► builder ──► \Windows\System32\Winpeshl.ini
//	           CaptureConfig    ──► builder ──► \Windows\System32\WDSCapture.inf
package winpe
