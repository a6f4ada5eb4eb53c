Attribute VB_Name = "CtmtNut"
' The buttons of ctmtcntt. Each one calls a function of the Python module ctmtcntt.excel through
' RunPython, from the xlwings module of this same VBA project:
'   Kiem tra          -> ctmtcntt.excel.validate(workbook name)
'   Tinh tong, ty le  -> ctmtcntt.excel.fill(workbook name)
'   Tong hop thu muc  -> ctmtcntt.excel.consolidate(folder, reporting unit's name)
'   Soan bao cao      -> ctmtcntt.excel.report(folder)
'
' This file is the source of truth: workbooks/ctmtcntt.xlsm and workbooks/ctmtcntt.xlam are
' rebuilt from it by tools/build_macro_workbook.py. Edit this file, not the binaries.
'
' The project stores VBA source in its code page (Windows-1252), so this file stays ASCII:
' Vietnamese text is written as \uXXXX escapes and decoded by Vn(), and messages go through
' MessageBoxW because VBA's MsgBox cannot show Vietnamese on a Windows set to another language.
Option Explicit

#If Mac Then
#ElseIf VBA7 Then
    Private Declare PtrSafe Function MessageBoxW Lib "user32" (ByVal hWnd As LongPtr, ByVal lpText As LongPtr, ByVal lpCaption As LongPtr, ByVal uType As Long) As Long
#Else
    Private Declare Function MessageBoxW Lib "user32" (ByVal hWnd As Long, ByVal lpText As Long, ByVal lpCaption As Long, ByVal uType As Long) As Long
#End If

Private Const FOLDER_NAME As String = "ThuMuc"
Private Const UNIT_NAME As String = "DonViBaoCao"
Private Const FOLDER_PICKER As Long = 4  ' msoFileDialogFolderPicker

' ---- The buttons of the macro workbook (and the add-in's ribbon, below) ----------------------

Public Sub CtmtKiemTra()
    Dim target As Workbook
    On Error GoTo Failed
    Set target = TargetBook()
    If target Is Nothing Then Exit Sub
    RunPython "import ctmtcntt.excel; ctmtcntt.excel.validate(" & PyText(target.Name) & ")"
    Exit Sub
Failed:
    Say Vn("Kh\u00f4ng ki\u1ec3m tra \u0111\u01b0\u1ee3c: ") & Err.Description
End Sub

Public Sub CtmtTinhTong()
    Dim target As Workbook
    On Error GoTo Failed
    Set target = TargetBook()
    If target Is Nothing Then Exit Sub
    RunPython "import ctmtcntt.excel; ctmtcntt.excel.fill(" & PyText(target.Name) & ")"
    Exit Sub
Failed:
    Say Vn("Kh\u00f4ng t\u00ednh \u0111\u01b0\u1ee3c: ") & Err.Description
End Sub

Public Sub CtmtTongHop()
    Dim folder As String, unitName As String
    On Error GoTo Failed
    folder = ChosenFolder()
    If folder = "" Then Exit Sub
    If Not ReportingUnit(unitName) Then Exit Sub
    RunPython "import ctmtcntt.excel; ctmtcntt.excel.consolidate(" & PyText(folder) & ", " & PyText(unitName) & ")"
    Exit Sub
Failed:
    Say Vn("Kh\u00f4ng t\u1ed5ng h\u1ee3p \u0111\u01b0\u1ee3c: ") & Err.Description
End Sub

Public Sub CtmtSoanBaoCao()
    Dim folder As String
    On Error GoTo Failed
    folder = ChosenFolder()
    If folder = "" Then Exit Sub
    RunPython "import ctmtcntt.excel; ctmtcntt.excel.report(" & PyText(folder) & ")"
    Exit Sub
Failed:
    Say Vn("Kh\u00f4ng so\u1ea1n \u0111\u01b0\u1ee3c b\u00e1o c\u00e1o: ") & Err.Description
End Sub

' ---- Ribbon callbacks of the add-in (customUI/customUI.xml) ------------------------------

Public Sub CtmtKiemTraRibbon(control As IRibbonControl)
    CtmtKiemTra
End Sub

Public Sub CtmtTinhTongRibbon(control As IRibbonControl)
    CtmtTinhTong
End Sub

Public Sub CtmtTongHopRibbon(control As IRibbonControl)
    CtmtTongHop
End Sub

Public Sub CtmtSoanBaoCaoRibbon(control As IRibbonControl)
    CtmtSoanBaoCao
End Sub

' ---- Helpers ---------------------------------------------------------------------------

Private Function TargetBook() As Workbook
    ' The add-in works on the active workbook. The macro workbook's own buttons are clicked
    ' while it is active, so it works on another open workbook: the only one, the one the user
    ' picks from a numbered list, or one the user opens now.
    Dim wb As Workbook, others As Collection, i As Long, prompt As String
    Dim answer As Variant, chosen As Variant
    If ActiveWorkbook Is Nothing Then
        Say Vn("H\u00e3y m\u1edf t\u1ec7p b\u00e1o c\u00e1o c\u1ee7a \u0111\u01a1n v\u1ecb tr\u01b0\u1edbc khi b\u1ea5m n\u00fat.")
        Exit Function
    End If
    If Not ActiveWorkbook Is ThisWorkbook Then
        Set TargetBook = ActiveWorkbook
        Exit Function
    End If
    Set others = New Collection
    For Each wb In Application.Workbooks
        If Not wb Is ThisWorkbook Then
            If wb.Windows.Count > 0 Then
                If wb.Windows(1).Visible Then others.Add wb
            End If
        End If
    Next wb
    If others.Count = 1 Then
        Set TargetBook = others(1)
    ElseIf others.Count = 0 Then
        chosen = Application.GetOpenFilename("Excel (*.xlsx;*.xlsm;*.xls),*.xlsx;*.xlsm;*.xls", , _
            Vn("Ch\u1ecdn t\u1ec7p b\u00e1o c\u00e1o c\u1ee7a \u0111\u01a1n v\u1ecb"))
        If VarType(chosen) = vbBoolean Then Exit Function
        Set TargetBook = Workbooks.Open(CStr(chosen))
    Else
        prompt = Vn("G\u00f5 s\u1ed1 th\u1ee9 t\u1ef1 c\u1ee7a s\u1ed5 c\u1ea7n x\u1eed l\u00fd:") & vbLf
        For i = 1 To others.Count
            prompt = prompt & i & ". " & others(i).Name & vbLf
        Next i
        answer = Application.InputBox(prompt, "ctmtcntt", 1, Type:=1)
        If VarType(answer) = vbBoolean Then Exit Function
        If answer < 1 Or answer > others.Count Then Exit Function
        Set TargetBook = others(CLng(answer))
    End If
End Function

Private Function ChosenFolder() As String
    ' Ask for the folder, starting from the one remembered in the cell ThuMuc of the macro
    ' workbook (the add-in has none: it starts from the active workbook's folder).
    Dim cell As Range, start As String
    On Error Resume Next
    Set cell = ThisWorkbook.Names(FOLDER_NAME).RefersToRange
    On Error GoTo 0
    If Not cell Is Nothing Then start = Trim$(CStr(cell.Value))
    If start = "" And Not ActiveWorkbook Is Nothing Then start = ActiveWorkbook.Path
    With Application.FileDialog(FOLDER_PICKER)
        .Title = Vn("Ch\u1ecdn th\u01b0 m\u1ee5c ch\u1ee9a c\u00e1c t\u1ec7p b\u00e1o c\u00e1o c\u1ee7a \u0111\u01a1n v\u1ecb")
        .AllowMultiSelect = False
        If start <> "" Then .InitialFileName = start & Application.PathSeparator
        If .Show <> -1 Then Exit Function
        ChosenFolder = .SelectedItems(1)
    End With
    If Not cell Is Nothing Then cell.Value = ChosenFolder
End Function

Private Function ReportingUnit(ByRef unitName As String) As Boolean
    ' The name written on "Don vi bao cao" of the province workbook, so that the level above can
    ' consolidate it in turn: the cell DonViBaoCao of the macro workbook when it is filled; else
    ' asked, offering the last answer (kept in the user's VBA settings, for the add-in, which has
    ' no such cell), and remembered in that cell. False when the user cancels.
    Dim cell As Range, answer As Variant
    On Error Resume Next
    Set cell = ThisWorkbook.Names(UNIT_NAME).RefersToRange
    On Error GoTo 0
    If Not cell Is Nothing Then unitName = Trim$(CStr(cell.Value))
    If unitName = "" Then
        answer = Application.InputBox(Vn("T\u00ean \u0111\u01a1n v\u1ecb ghi \u1edf d\u00f2ng \u00ab\u0110\u01a1n v\u1ecb b\u00e1o c\u00e1o\u00bb c\u1ee7a t\u1ec7p t\u1ed5ng h\u1ee3p, \u0111\u1ec3 c\u1ea5p tr\u00ean t\u1ed5ng h\u1ee3p ti\u1ebfp (v\u00ed d\u1ee5: UBND t\u1ec9nh B\u00ecnh \u0110\u1ecbnh):"), _
            "ctmtcntt", GetSetting("ctmtcntt", "TongHop", UNIT_NAME, ""), Type:=2)
        If VarType(answer) = vbBoolean Then Exit Function
        unitName = Trim$(CStr(answer))
        If unitName <> "" Then
            SaveSetting "ctmtcntt", "TongHop", UNIT_NAME, unitName
            If Not cell Is Nothing Then cell.Value = unitName
        End If
    End If
    ReportingUnit = True
End Function

Private Function PyText(ByVal s As String) As String
    ' A Python string literal in plain ASCII. RunPython passes the command through cmd.exe
    ' inside double quotes, where quotes, %, & and non-ASCII characters are not safe; every
    ' other character becomes \uXXXX (Python joins the halves of characters beyond U+FFFF).
    Dim i As Long, code As Long, ch As String, out As String
    out = "'"
    For i = 1 To Len(s)
        ch = Mid$(s, i, 1)
        code = AscW(ch) And &HFFFF&
        If (code >= 48 And code <= 57) Or (code >= 65 And code <= 90) _
                Or (code >= 97 And code <= 122) Or code = 32 Or code = 46 Or code = 95 Then
            out = out & ch
        Else
            out = out & "\u" & Right$("000" & Hex$(code), 4)
        End If
    Next i
    PyText = out & "'"
End Function

Private Function Vn(ByVal s As String) As String
    ' Decode the \uXXXX escapes of this ASCII source into Vietnamese text.
    Dim i As Long, out As String
    i = 1
    Do While i <= Len(s)
        If Mid$(s, i, 2) = "\u" And i + 5 <= Len(s) Then
            out = out & ChrW(CLng("&H" & Mid$(s, i + 2, 4)))
            i = i + 6
        Else
            out = out & Mid$(s, i, 1)
            i = i + 1
        End If
    Loop
    Vn = out
End Function

Private Sub Say(ByVal text As String)
    Dim title As String
    title = "ctmtcntt"
    #If Mac Then
        MsgBox text, vbInformation, title
    #Else
        MessageBoxW Application.Hwnd, StrPtr(text), StrPtr(title), &H40&
    #End If
End Sub
