; Inno Setup script: a Windows installer from the one-folder bundle.
; Build the bundle first (python packaging\build.py), then:
;   iscc /DVersion=0.1.0 packaging\windows\dashboard.iss
; The installer lands in dist\.

#ifndef Version
  #define Version "0.1.0"
#endif

[Setup]
AppId={{8C1F3B52-6A0D-4E7B-9C55-3D2E7F1A9B40}
AppName=Live Dashboard
AppVersion={#Version}
AppPublisher=Live Dashboard
DefaultDirName={autopf}\Live Dashboard
DefaultGroupName=Live Dashboard
OutputDir=..\..\dist
OutputBaseFilename=dashboard-{#Version}-windows-x86_64-setup
SetupIconFile=..\..\resources\icons\dashboard.ico
UninstallDisplayIcon={app}\dashboard.exe
Compression=lzma2
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog

[Files]
Source: "..\..\dist\dashboard\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Live Dashboard"; Filename: "{app}\dashboard.exe"
Name: "{group}\Live Dashboard (demo feed)"; Filename: "{app}\dashboard.exe"; Parameters: "--demo"
Name: "{autodesktop}\Live Dashboard"; Filename: "{app}\dashboard.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop icon"; Flags: unchecked

[Run]
Filename: "{app}\dashboard.exe"; Parameters: "--demo"; Description: "Start it on the demo feed"; Flags: nowait postinstall skipifsilent
