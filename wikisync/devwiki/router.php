<?php
// Router for PHP's built-in server: serves MediaWiki's short URLs (/wiki/Title) like the real
// wikis do, and everything else (api.php, index.php, load.php, static files) as it is.
$path = parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH );
if ( strpos( $path, '/wiki/' ) === 0 ) {
	$_GET['title'] = rawurldecode( substr( $path, strlen( '/wiki/' ) ) );
	$_SERVER['SCRIPT_NAME'] = '/index.php';
	chdir( $_SERVER['DOCUMENT_ROOT'] );
	require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
	return true;
}
return false;
